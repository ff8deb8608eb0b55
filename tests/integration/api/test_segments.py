"""Segments through the API handler; refreshes run by the segment-refresh worker from its queue."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from marketing import clock
from marketing.audience.models.segments import RefreshRequest
from marketing.audience.services import segments
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import segments as segment_store
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
    """Runs the worker on its queue until it is empty (a refresh, then the parts it hands out);
    returns the responses merged."""
    handler = importlib.import_module("workers.segment_refresh").lambda_handler

    def drain() -> dict:
        failures = []
        while messages := receive(aws[SEGMENT_REFRESH.env_var]):
            failures += deliver(handler, aws[SEGMENT_REFRESH.env_var], messages)["batchItemFailures"]
        return {"batchItemFailures": failures}

    return drain


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


def test_a_redelivered_refresh_message_does_nothing_twice(api_handler, aws, refresh_worker, shoppers):
    handler = importlib.import_module("workers.segment_refresh").lambda_handler
    _, segment = staff(
        api_handler, "POST", "/segments/", {"name": "All", "type": "dynamic", "criteria": {"min_order_count": 0}}
    )
    (message,) = receive(aws[SEGMENT_REFRESH.env_var])
    deliver(handler, aws[SEGMENT_REFRESH.env_var], [message])
    refresh_worker()  # its parts
    first = staff(api_handler, "GET", f"/segments/{segment['id']}/")[1]
    deliver(handler, aws[SEGMENT_REFRESH.env_var], [message])
    assert receive(aws[SEGMENT_REFRESH.env_var]) == []  # no second round of parts
    assert staff(api_handler, "GET", f"/segments/{segment['id']}/")[1] == first
    assert first["contact_count"] == 5


def test_subscribed_and_last_order_criteria(api_handler, refresh_worker):
    early = contact(api_handler, "early@x.com", last_order_at="2026-01-10T00:00:00Z", order_count=1)
    contact(api_handler, "late@x.com", last_order_at="2026-10-10T00:00:00Z", order_count=1)
    contact(api_handler, "never@x.com")
    from marketing.audience.models.consents import ConsentContext, ConsentMethod
    from marketing.audience.models.subscribers import SubscriberSource
    from marketing.audience.services import subscribers

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


@pytest.mark.parametrize(
    ("criteria", "field", "reason"),
    [
        # An explicit null is no condition: stored without it, the criteria would be {}, which no
        # refresh can parse (every part failed until it reached the DLQ).
        ({"subscribed": None}, "criteria.conditions", "subscribed"),
        ({"tags": None, "min_ltv": None}, "criteria.conditions", "min_ltv, tags"),
        (
            {"all": [{"min_order_count": 1}, {"any": [{"lifecycle_stage": None}]}]},
            "criteria.all.all.1.any",
            "lifecycle_stage",
        ),
        ({"lifecycle_stage": []}, "criteria.conditions.lifecycle_stage", "at least 1 item"),
        ({"tags": {"all": []}}, "criteria.conditions.tags.all", "at least 1 item"),
    ],
)
def test_a_condition_needs_a_value_and_a_list_an_item(api_handler, criteria, field, reason):
    status, response = staff(api_handler, "POST", "/segments/", {"name": "x", "type": "dynamic", "criteria": criteria})
    assert status == 400, response
    assert any(
        detail["field"].startswith(field) and reason in detail["reason"] for detail in response["error"]["details"]
    ), response
    _, segment = staff(
        api_handler, "POST", "/segments/", {"name": "D", "type": "dynamic", "criteria": {"min_order_count": 1}}
    )
    status, response = staff(api_handler, "PATCH", f"/segments/{segment['id']}/", {"criteria": criteria})
    assert status == 400, response
    assert segment_of(api_handler, segment["id"])["criteria"] == {"min_order_count": 1}


@pytest.mark.parametrize(
    ("criteria", "stored"),
    [
        ({"lifecycle_stage": "lead"}, {"lifecycle_stage": "lead"}),
        ({"lifecycle_stage": ["lead", "vip"]}, {"lifecycle_stage": ["lead", "vip"]}),
        ({"tags": {"any": ["vip"]}}, {"tags": {"any": ["vip"]}}),
        ({"tags": {"all": ["vip", "wholesale"], "any": None}}, {"tags": {"all": ["vip", "wholesale"]}}),
        ({"min_order_count": 0}, {"min_order_count": 0}),
        ({"min_ltv": "10.50"}, {"min_ltv": "10.50"}),
        ({"subscribed": False}, {"subscribed": False}),
        ({"last_order_after": "2026-06-01T00:00:00Z"}, {"last_order_after": "2026-06-01T00:00:00Z"}),
        # A null beside a value is left out, as before (the console's builder reads such criteria too).
        ({"min_order_count": 1, "subscribed": None}, {"min_order_count": 1}),
        ({"any": [{"subscribed": True}, {"all": [{"lifecycle_stage": ["customer"]}]}]}, None),
    ],
)
def test_every_kind_of_condition_is_still_accepted(api_handler, criteria, stored):
    status, segment = staff(api_handler, "POST", "/segments/", {"name": "x", "type": "dynamic", "criteria": criteria})
    assert status == 201, segment
    assert segment["criteria"] == (criteria if stored is None else stored)


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


# --- a refresh's scan in parts (decision 90) ----------------------------------------------------------
@pytest.fixture
def three_parts(monkeypatch):
    """Refreshes split their scan into three parts (and size the next from two contacts a part)."""

    monkeypatch.setenv("SEGMENT_FIRST_SCAN_PARTS", "3")
    monkeypatch.setenv("SEGMENT_CONTACTS_PER_PART", "2")
    segments.scan_settings.cache_clear()
    yield
    segments.scan_settings.cache_clear()


@pytest.fixture
def refresh_handler():
    return importlib.import_module("workers.segment_refresh").lambda_handler


def parts_of(aws, refresh_handler, criteria=CRITERIA) -> tuple[str, list[dict]]:
    """Creates a dynamic segment and runs its refresh message: returns the segment's id and the
    part messages it handed out, still on the queue's side (received, not deleted)."""
    _, segment = staff(aws["api"], "POST", "/segments/", {"name": "Parts", "type": "dynamic", "criteria": criteria})
    assert deliver(refresh_handler, aws[SEGMENT_REFRESH.env_var]) == {"batchItemFailures": []}
    parts = receive(aws[SEGMENT_REFRESH.env_var])
    return segment["id"], sorted(parts, key=lambda message: json.loads(message["Body"])["part"]["index"])


@pytest.fixture
def platform(aws, api_handler):
    return {**aws, "api": api_handler}


def segment_of(api_handler, segment_id: str) -> dict:
    return staff(api_handler, "GET", f"/segments/{segment_id}/")[1]


def test_a_refresh_hands_out_one_message_per_part_and_the_last_part_finishes_it(
    platform, api_handler, refresh_handler, three_parts, shoppers
):
    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, parts = parts_of(platform, refresh_handler)
    bodies = [json.loads(message["Body"]) for message in parts]
    criteria = segment_of(api_handler, segment_id)["criteria"]  # each part matches by the run's own
    assert [body["part"] for body in bodies] == [
        {"generation": 1, "index": index, "of": 3, "criteria": criteria} for index in range(3)
    ]
    assert segment_of(api_handler, segment_id)["refresh_status"] == "running"

    deliver(refresh_handler, queue, parts[:2])
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"], segment["refreshed_at"]) == ("running", 0, None)

    deliver(refresh_handler, queue, parts[2:])
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"]) == ("idle", 2)
    assert members(api_handler, segment_id) == {"vip-lead@x.com", "customer@x.com"}
    assert receive(queue) == []


def test_a_redelivered_part_is_counted_once_and_adds_no_member_twice(
    platform, api_handler, refresh_handler, three_parts, shoppers
):
    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, parts = parts_of(platform, refresh_handler, {"min_order_count": 0})
    for message in (parts[0], parts[0], parts[1], parts[2], parts[2], parts[1]):
        assert deliver(refresh_handler, queue, [message]) == {"batchItemFailures": []}
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"]) == ("idle", 5)
    assert len(members(api_handler, segment_id)) == 5


def test_a_part_redelivered_after_counting_finishes_the_run_its_first_delivery_did_not(
    platform, api_handler, refresh_handler, three_parts, shoppers, monkeypatch
):
    """The last part's worker dies between counting it and finishing the run: the redelivery finishes."""
    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, parts = parts_of(platform, refresh_handler)
    deliver(refresh_handler, queue, parts[:2])
    finish = segment_store.finish_refresh

    def dies(*args, **kwargs):
        raise ConnectionError("the function died")

    monkeypatch.setattr(segment_store, "finish_refresh", dies)
    assert deliver(refresh_handler, queue, parts[2:])["batchItemFailures"]
    monkeypatch.setattr(segment_store, "finish_refresh", finish)
    assert deliver(refresh_handler, queue, parts[2:]) == {"batchItemFailures": []}
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"], segment["refresh_error"]) == ("idle", 2, None)


def test_a_failing_part_fails_the_refresh_until_its_redelivery_succeeds(
    platform, api_handler, refresh_handler, three_parts, shoppers, monkeypatch
):

    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, parts = parts_of(platform, refresh_handler)
    scan = contact_store.scan_facts

    def throttled(cost, segment, total_segments, start_key=None):
        if segment == 1:
            raise RuntimeError("ProvisionedThroughputExceededException")
        return scan(cost, segment, total_segments, start_key)

    monkeypatch.setattr(contact_store, "scan_facts", throttled)
    response = deliver(refresh_handler, queue, parts)
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == [parts[1]["MessageId"]]
    segment = segment_of(api_handler, segment_id)
    assert segment["refresh_status"] == "queued"
    assert "ProvisionedThroughputExceededException" in segment["refresh_error"]
    assert staff(api_handler, "POST", f"/segments/{segment_id}/refresh/")[1]["refresh_status"] == "queued"
    assert receive(queue) == []  # the failed part is SQS's to deliver again, not a new refresh

    monkeypatch.setattr(contact_store, "scan_facts", scan)
    assert deliver(refresh_handler, queue, parts[1:2]) == {"batchItemFailures": []}
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"], segment["refresh_error"]) == ("idle", 2, None)
    assert members(api_handler, segment_id) == {"vip-lead@x.com", "customer@x.com"}


def test_a_part_short_of_time_goes_on_from_its_checkpoint(
    platform, api_handler, refresh_handler, three_parts, shoppers, monkeypatch
):
    from marketing.clock import Deadline

    queue = platform[SEGMENT_REFRESH.env_var]
    monkeypatch.setattr(contact_store, "SCAN_PAGE_ITEMS", 1)
    monkeypatch.setenv("SEGMENT_FIRST_SCAN_PARTS", "1")
    segments.scan_settings.cache_clear()
    segment_id, (part,) = parts_of(platform, refresh_handler, {"min_order_count": 0})
    request = RefreshRequest.model_validate_json(part["Body"])
    outcome = segments.evaluate_part(segment_id, request.part, Deadline(lambda: 30_000))
    assert "goes on" in outcome
    (rest,) = receive(queue)
    after = RefreshRequest.model_validate_json(rest["Body"]).part
    assert (after.index, after.of, after.matched, after.scanned) == (0, 1, 1, 1)
    assert after.start_key is not None
    assert segment_of(api_handler, segment_id)["refresh_status"] == "running"

    deliver(refresh_handler, queue, [rest])
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"]) == ("idle", 5)


def test_a_part_of_a_run_taken_over_does_nothing(platform, api_handler, refresh_handler, three_parts, shoppers):
    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, stale_parts = parts_of(platform, refresh_handler)
    later = datetime.now(UTC) + timedelta(hours=1)  # the run's lease has run out: a new one takes over
    segment_store.mark_queued(segment_id, later, stale_before=later)
    segment_store.claim_refresh(segment_id, later, stale_before=later, parts=1)
    assert deliver(refresh_handler, queue, stale_parts) == {"batchItemFailures": []}
    segment = segment_of(api_handler, segment_id)
    assert (segment["refresh_status"], segment["contact_count"]) == ("running", 0)


def test_the_next_refresh_has_as_many_parts_as_the_contacts_last_scanned_ask_for(
    platform, api_handler, refresh_handler, three_parts, shoppers
):
    segment_id, parts = parts_of(platform, refresh_handler)
    deliver(refresh_handler, platform[SEGMENT_REFRESH.env_var], parts)
    staff(api_handler, "POST", f"/segments/{segment_id}/refresh/")
    deliver(refresh_handler, platform[SEGMENT_REFRESH.env_var])
    parts = [json.loads(message["Body"])["part"] for message in receive(platform[SEGMENT_REFRESH.env_var])]
    assert sorted((part["index"], part["of"], part["generation"]) for part in parts) == [
        (0, 3, 2),
        (1, 3, 2),
        (2, 3, 2),
    ]


def test_a_run_matches_by_the_criteria_it_started_with_even_if_they_change_meanwhile(
    platform, api_handler, refresh_handler, three_parts, shoppers
):
    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, parts = parts_of(platform, refresh_handler)
    deliver(refresh_handler, queue, parts[:1])
    status, _ = staff(
        api_handler, "PATCH", f"/segments/{segment_id}/", {"criteria": {"all": [{"tags": {"any": ["none"]}}]}}
    )
    assert status == 200
    deliver(refresh_handler, queue, parts[1:])
    assert members(api_handler, segment_id) == {"vip-lead@x.com", "customer@x.com"}


def test_a_part_whose_run_another_took_over_midway_writes_no_more_members(
    platform, api_handler, refresh_handler, three_parts, shoppers, monkeypatch
):
    queue = platform[SEGMENT_REFRESH.env_var]
    segment_id, parts = parts_of(platform, refresh_handler)
    scan_facts, write_members = contact_store.scan_facts, segment_store.write_members
    generations = []

    def first_page_then_a_takeover(cost, *args):
        contacts = [contact for page, _ in scan_facts(cost, *args) for contact in page]
        yield contacts[:1], {"id": "after-the-first"}
        # Staff asked again once the run looked dead (its lease passed): a new run began meanwhile.
        later = clock.utcnow() + segments.REFRESH_LEASE + timedelta(minutes=1)
        monkeypatch.setattr(clock, "utcnow", lambda: later)
        segments.request_refresh(segment_id)
        assert segments.refresh(segment_id).startswith("segment refresh started")
        yield contacts[1:], None

    def recorded(segment, contact_ids, generation):
        generations.append(generation)
        write_members(segment, contact_ids, generation)

    monkeypatch.setattr(contact_store, "scan_facts", first_page_then_a_takeover)
    monkeypatch.setattr(segment_store, "write_members", recorded)
    deliver(refresh_handler, queue, parts[:1])
    assert generations == [1]  # its first page, written before the takeover; nothing after it
