"""The automations API (staff): validation of a series, status changes, 404s and 409s."""

from __future__ import annotations

import pytest

from marketing.catalog.topology import AUTOMATION_SENDS
from tests.support.automations import WELCOME
from tests.support.campaigns import staff
from tests.support.events import call, customer
from tests.support.queues import bodies


@pytest.fixture
def template_id(api_handler) -> str:
    status, template = staff(api_handler, "POST", "/templates/", WELCOME)
    assert status == 201, template
    return template["id"]


def series(template_id: str, *orders_and_delays: tuple[int, int]) -> dict:
    emails = [{"order": order, "delay_hours": delay, "template_id": template_id} for order, delay in orders_and_delays]
    return {"name": "Welcome", "trigger": "user_registered", "emails": emails}


def test_a_created_automation_is_paused_with_its_emails_in_order(api_handler, template_id):
    status, created = staff(api_handler, "POST", "/automations/", series(template_id, (2, 24), (1, 0)))
    assert status == 201, created
    assert created["status"] == "paused"
    assert [email["order"] for email in created["emails"]] == [1, 2]
    assert staff(api_handler, "GET", f"/automations/{created['id']}/")[1] == created
    assert staff(api_handler, "GET", "/automations/")[1]["items"] == [created]


@pytest.mark.parametrize(
    ("emails", "field", "reason"),
    [
        ([(1, 0), (3, 24)], "emails", "without gaps"),
        ([(1, 0), (1, 24)], "emails", "without gaps"),
        ([(1, -1)], "emails.0.delay_hours", "greater than or equal to 0"),
        ([], "emails", "at least 1"),
    ],
)
def test_a_bad_series_is_a_400_naming_the_field(api_handler, template_id, emails, field, reason):
    status, body = staff(api_handler, "POST", "/automations/", series(template_id, *emails))
    assert status == 400, body
    assert any(detail["field"] == field and reason in detail["reason"] for detail in body["error"]["details"]), body


def test_an_unknown_template_or_a_broken_subject_is_a_400_naming_the_email(api_handler, template_id):
    status, body = staff(
        api_handler,
        "POST",
        "/automations/",
        series(template_id, (1, 0))
        | {
            "emails": [
                {"order": 1, "delay_hours": 0, "template_id": template_id},
                {"order": 2, "delay_hours": 1, "template_id": "tpl_missing"},
            ]
        },
    )
    assert status == 400
    assert body["error"]["details"] == [{"field": "emails[1].template_id", "reason": "no template with this id"}]
    broken = series(template_id, (1, 0))
    broken["emails"][0]["subject"] = "{{ first_name"
    status, body = staff(api_handler, "POST", "/automations/", broken)
    assert status == 400
    assert body["error"]["details"][0]["field"] == "emails[0].subject"


def test_a_sender_off_the_senders_domain_or_with_a_line_break_is_a_400(api_handler, template_id):
    for fields, field in (
        ({"from_email": "news@elsewhere.example"}, "from_email"),
        ({"from_name": "A\nB"}, "from_name"),
    ):
        status, body = staff(api_handler, "POST", "/automations/", {**series(template_id, (1, 0)), **fields})
        assert (status, body["error"]["details"][0]["field"]) == (400, field), body
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0)))
    status, body = staff(api_handler, "PATCH", f"/automations/{created['id']}/", {"from_email": "x@elsewhere.example"})
    assert (status, body["error"]["details"][0]["field"]) == (400, "from_email")


def test_activate_and_pause_change_the_status_and_activate_hands_back_held_emails(aws, api_handler, template_id):
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0)))
    status, activated = staff(api_handler, "POST", f"/automations/{created['id']}/activate/")
    assert (status, activated["status"]) == (200, "active")
    assert bodies(aws[AUTOMATION_SENDS.env_var]) == [{"resume_automation_id": created["id"]}]
    status, paused = staff(api_handler, "POST", f"/automations/{created['id']}/pause/")
    assert (status, paused["status"]) == (200, "paused")


def test_activating_with_a_deleted_template_is_a_422_naming_the_email(api_handler, template_id):
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0)))
    assert staff(api_handler, "DELETE", f"/templates/{template_id}/")[0] == 204
    status, body = staff(api_handler, "POST", f"/automations/{created['id']}/activate/")
    assert status == 422
    assert body["error"]["details"][0]["field"] == "emails[0].template_id"


def test_patch_changes_the_series_and_a_null_name_is_refused(api_handler, template_id):
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0)))
    status, changed = staff(
        api_handler,
        "PATCH",
        f"/automations/{created['id']}/",
        {"emails": series(template_id, (1, 0), (2, 48))["emails"]},
    )
    assert status == 200, changed
    assert [email["delay_hours"] for email in changed["emails"]] == [0, 48]
    status, body = staff(api_handler, "PATCH", f"/automations/{created['id']}/", {"name": None})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "name"
    status, body = staff(api_handler, "PATCH", f"/automations/{created['id']}/", {"trigger": "cart_abandoned"})
    assert status == 400  # the trigger is fixed at creation


def test_unknown_automations_are_404_and_delete_removes_it(api_handler, template_id):
    for method, path in [
        ("GET", "/automations/aut_x/"),
        ("POST", "/automations/aut_x/activate/"),
        ("POST", "/automations/aut_x/pause/"),
        ("GET", "/automations/aut_x/executions/"),
        ("GET", "/automations/aut_x/analytics/"),
    ]:
        assert staff(api_handler, method, path)[0] == 404, path
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0)))
    assert staff(api_handler, "DELETE", f"/automations/{created['id']}/")[0] == 204
    assert staff(api_handler, "GET", f"/automations/{created['id']}/")[0] == 404


def test_executions_filter_by_status_and_analytics_start_at_zero(api_handler, template_id):
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0), (2, 1)))
    status, page = staff(api_handler, "GET", f"/automations/{created['id']}/executions/", query={"status": "stopped"})
    assert (status, page["items"]) == (200, [])
    status, _body = staff(api_handler, "GET", f"/automations/{created['id']}/executions/", query={"status": "lost"})
    assert status == 400
    status, analytics = staff(api_handler, "GET", f"/automations/{created['id']}/analytics/")
    assert status == 200
    assert analytics["entered"] == analytics["in_progress"] == 0
    assert [email["order"] for email in analytics["emails"]] == [1, 2]


def test_a_customer_token_cannot_reach_automations(api_handler):
    status, _ = call(api_handler, "GET", "/automations/", authorizer=customer())
    assert status == 403


def test_activating_without_the_shops_postal_address_is_a_422_saying_so(api_handler, template_id, no_postal_address):
    _, created = staff(api_handler, "POST", "/automations/", series(template_id, (1, 0)))
    status, body = staff(api_handler, "POST", f"/automations/{created['id']}/activate/")
    assert status == 422
    assert body["error"]["details"][0]["field"] == "postal_address"
    assert "postal address is not configured" in body["error"]["message"]
    assert staff(api_handler, "GET", f"/automations/{created['id']}/")[1]["status"] == "paused"
