"""Segments through the API handler; refreshes run by the segment-refresh worker from its queue."""

from __future__ import annotations

import importlib

import pytest

from marketing.catalog.topology import SEGMENT_REFRESH
from tests.support.events import STAFF, Context, call
from tests.support.queues import deliver, receive

CRITERIA = {
    "all": [
        {"min_order_count": 1},
        {"any": [{"tags": {"any": ["vip"]}}, {"lifecycle_stage": "customer"}]},
    ]
}


@pytest.fixture
def refresh_worker(aws):
    handler = importlib.import_module("workers.segment_refresh").lambda_handler
    return lambda: deliver(handler, aws[SEGMENT_REFRESH.env_var])


def contact(api_handler, email: str, **fields) -> str:
    status, body = call(api_handler, "POST", "/contacts/", {"email": email, **fields}, authorizer=STAFF)
    assert status == 201, body
    return body["id"]


def staff(api_handler, method: str, path: str, body=None, **kwargs):
    return call(api_handler, method, path, body, authorizer=STAFF, **kwargs)


def members(api_handler, segment_id: str, limit: int = 100) -> set[str]:
    found, cursor = set(), None
    while True:
        query = {"limit": str(limit), **({"next": cursor} if cursor else {})}
        status, page = staff(api_handler, "GET", f"/segments/{segment_id}/contacts/", query=query)
        assert status == 200, page
        found |= {item["email"] for item in page["items"]}
        cursor = page.get("next")
        if not cursor:
            return found


@pytest.fixture
def shoppers(api_handler):
    contact(api_handler, "vip-lead@x.com", lifecycle_stage="lead", tags=["vip"], order_count=2)
    contact(api_handler, "customer@x.com", lifecycle_stage="customer", order_count=1)
    contact(api_handler, "no-orders@x.com", lifecycle_stage="customer", tags=["vip"], order_count=0)
    contact(api_handler, "lead@x.com", lifecycle_stage="lead", order_count=5)
    contact(api_handler, "vip-stage@x.com", lifecycle_stage="vip", tags=["wholesale"], order_count=3)


def test_a_dynamic_segment_has_exactly_the_contacts_its_nested_criteria_match(api_handler, refresh_worker, shoppers):
    status, segment = staff(
        api_handler, "POST", "/segments/", {"name": "Buyers", "type": "dynamic", "criteria": CRITERIA}
    )
    assert status == 201, segment
    assert segment["refresh_status"] == "queued"  # creating it queued the first refresh
    assert segment["criteria"] == CRITERIA

    assert refresh_worker() == {"batchItemFailures": []}
    _, segment = staff(api_handler, "GET", f"/segments/{segment['id']}/")
    assert (segment["refresh_status"], segment["contact_count"]) == ("idle", 2)
    assert segment["refreshed_at"] is not None
    assert members(api_handler, segment["id"], limit=1) == {"vip-lead@x.com", "customer@x.com"}


def test_refresh_recomputes_after_contacts_change_and_drops_old_members(api_handler, refresh_worker, shoppers):
    _, segment = staff(api_handler, "POST", "/segments/", {"name": "Buyers", "type": "dynamic", "criteria": CRITERIA})
    refresh_worker()
    _, page = staff(api_handler, "GET", "/contacts/", query={"email": "lead@x.com"})
    staff(api_handler, "PATCH", f"/contacts/{page['items'][0]['id']}/", {"tags": ["vip"]})
    _, page = staff(api_handler, "GET", "/contacts/", query={"email": "customer@x.com"})
    staff(api_handler, "PATCH", f"/contacts/{page['items'][0]['id']}/", {"lifecycle_stage": "churned"})

    status, queued = staff(api_handler, "POST", f"/segments/{segment['id']}/refresh/")
    assert (status, queued["refresh_status"]) == (202, "queued")
    refresh_worker()
    assert members(api_handler, segment["id"]) == {"vip-lead@x.com", "lead@x.com"}
    assert staff(api_handler, "GET", f"/segments/{segment['id']}/")[1]["contact_count"] == 2


def test_a_burst_of_refresh_requests_queues_one_refresh(api_handler, aws, shoppers):
    _, segment = staff(
        api_handler, "POST", "/segments/", {"name": "All", "type": "dynamic", "criteria": {"min_order_count": 0}}
    )
    for _ in range(3):
        staff(api_handler, "POST", f"/segments/{segment['id']}/refresh/")
    assert len(receive(aws[SEGMENT_REFRESH.env_var])) == 1


def test_a_redelivered_refresh_message_does_nothing_twice(api_handler, aws, shoppers):
    handler = importlib.import_module("workers.segment_refresh").lambda_handler
    _, segment = staff(
        api_handler, "POST", "/segments/", {"name": "All", "type": "dynamic", "criteria": {"min_order_count": 0}}
    )
    (message,) = receive(aws[SEGMENT_REFRESH.env_var])
    deliver(handler, aws[SEGMENT_REFRESH.env_var], [message])
    first = staff(api_handler, "GET", f"/segments/{segment['id']}/")[1]
    deliver(handler, aws[SEGMENT_REFRESH.env_var], [message])
    assert staff(api_handler, "GET", f"/segments/{segment['id']}/")[1] == first
    assert first["contact_count"] == 5


def test_subscribed_and_last_order_criteria(api_handler, refresh_worker):
    early = contact(api_handler, "early@x.com", last_order_at="2026-01-10T00:00:00Z", order_count=1)
    contact(api_handler, "late@x.com", last_order_at="2026-10-10T00:00:00Z", order_count=1)
    contact(api_handler, "never@x.com")
    from marketing.audience.models.consents import ConsentContext, ConsentMethod
    from marketing.audience.models.subscribers import SubscriberSource
    from marketing.audience.services import subscribers
    from marketing.audience.store import contacts as contact_store

    by_staff = ConsentContext(ConsentMethod.STAFF, "staff:test")
    subscribers.subscribe_contact(contact_store.get(early), SubscriberSource.API, None, by_staff)
    criteria = {"any": [{"subscribed": True}, {"last_order_after": "2026-06-01T00:00:00Z"}]}
    _, segment = staff(api_handler, "POST", "/segments/", {"name": "S", "type": "dynamic", "criteria": criteria})
    refresh_worker()
    assert members(api_handler, segment["id"]) == {"early@x.com", "late@x.com"}

    _, before = staff(
        api_handler,
        "POST",
        "/segments/",
        {"name": "B", "type": "dynamic", "criteria": {"last_order_before": "2026-06-01T00:00:00Z", "subscribed": True}},
    )
    refresh_worker()
    assert members(api_handler, before["id"]) == {"early@x.com"}


def test_a_static_segment_adds_and_removes_members(api_handler):
    ids = [contact(api_handler, f"s{n}@x.com") for n in range(3)]
    status, segment = staff(
        api_handler, "POST", "/segments/", {"name": "Hand-picked", "type": "static", "contact_ids": ids[:2]}
    )
    assert (status, segment["contact_count"]) == (201, 2)
    status, segment = staff(
        api_handler,
        "PATCH",
        f"/segments/{segment['id']}/",
        {"add_contact_ids": [ids[2], ids[0]], "remove_contact_ids": [ids[1]]},
    )
    assert (status, segment["contact_count"]) == (200, 2)
    assert members(api_handler, segment["id"]) == {"s0@x.com", "s2@x.com"}

    status, body = staff(api_handler, "PATCH", f"/segments/{segment['id']}/", {"add_contact_ids": ["ct_nope"]})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "add_contact_ids"


def test_erasing_a_contact_takes_it_out_of_its_segments(api_handler):
    ada = contact(api_handler, "ada@x.com")
    _, segment = staff(api_handler, "POST", "/segments/", {"name": "One", "type": "static", "contact_ids": [ada]})
    assert staff(api_handler, "GET", f"/contacts/{ada}/export/")[1]["segment_ids"] == [segment["id"]]
    assert staff(api_handler, "DELETE", f"/contacts/{ada}/")[0] == 204
    assert staff(api_handler, "GET", f"/segments/{segment['id']}/")[1]["contact_count"] == 0
    assert members(api_handler, segment["id"]) == set()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "type": "dynamic", "criteria": {"xor": [{"min_order_count": 1}]}}, "xor"),
        ({"name": "x", "type": "dynamic", "criteria": {"all": [{"tags": {"some": ["a"]}}]}}, "some"),
        ({"name": "x", "type": "dynamic", "criteria": {"lifecycle_stage": "royalty"}}, "lifecycle_stage"),
        ({"name": "x", "type": "dynamic", "criteria": {"min_ltv": 10.5}}, "min_ltv"),
        ({"name": "x", "type": "dynamic", "criteria": {"tags": {"any": ["a"], "all": ["b"]}}}, "tags"),
        ({"name": "x", "type": "dynamic"}, "body"),
        ({"name": "x", "type": "static", "criteria": {"min_order_count": 1}}, "body"),
        (
            {
                "name": "x",
                "type": "dynamic",
                "criteria": {"all": [{"all": [{"all": [{"all": [{"all": [{"min_order_count": 1}]}]}]}]}]},
            },
            "body",
        ),
    ],
)
def test_bad_criteria_are_a_400_naming_the_field(api_handler, body, field):
    status, response = staff(api_handler, "POST", "/segments/", body)
    assert status == 400, response
    assert any(field in detail["field"] for detail in response["error"]["details"]), response


def test_a_static_segment_refuses_criteria_and_a_dynamic_one_refuses_members(api_handler):
    _, static = staff(api_handler, "POST", "/segments/", {"name": "S", "type": "static"})
    status, body = staff(api_handler, "PATCH", f"/segments/{static['id']}/", {"criteria": {"min_order_count": 1}})
    assert (status, body["error"]["details"][0]["field"]) == (400, "criteria")
    _, dynamic = staff(
        api_handler, "POST", "/segments/", {"name": "D", "type": "dynamic", "criteria": {"min_order_count": 1}}
    )
    status, body = staff(api_handler, "PATCH", f"/segments/{dynamic['id']}/", {"add_contact_ids": ["ct_1"]})
    assert (status, body["error"]["details"][0]["field"]) == (400, "add_contact_ids")


def test_list_get_and_delete(api_handler):
    _, segment = staff(api_handler, "POST", "/segments/", {"name": "S", "type": "static"})
    assert [item["id"] for item in staff(api_handler, "GET", "/segments/")[1]["items"]] == [segment["id"]]
    assert staff(api_handler, "DELETE", f"/segments/{segment['id']}/")[0] == 204
    assert staff(api_handler, "GET", f"/segments/{segment['id']}/")[0] == 404
    assert staff(api_handler, "DELETE", f"/segments/{segment['id']}/")[0] == 404


def test_the_daily_schedule_queues_one_refresh_per_dynamic_segment(api_handler, aws, refresh_worker, shoppers):
    schedule = importlib.import_module("schedules.segment_refresh").lambda_handler
    for name in ("A", "B"):
        staff(api_handler, "POST", "/segments/", {"name": name, "type": "dynamic", "criteria": {"min_order_count": 1}})
    staff(api_handler, "POST", "/segments/", {"name": "Static", "type": "static"})
    refresh_worker()  # the refreshes queued at creation
    assert schedule({"detail-type": "Scheduled Event", "detail": {}}, Context()) == {"queued": 2}
    assert len(receive(aws[SEGMENT_REFRESH.env_var])) == 2
