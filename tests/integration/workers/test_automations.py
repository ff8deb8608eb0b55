"""Automations end to end in-process: shop events start runs, the real state machine (moto) waits
and hands each email to the worker, which sends it through the campaigns' path."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import boto3
import pytest

from marketing.automations.models.automations import SendTask, Trigger
from marketing.automations.services import automation_runs, automation_sweep, carts
from marketing.automations.store import executions as execution_store
from marketing.aws import workflows
from marketing.catalog.topology import AUTOMATION_SENDS, AUTOMATION_STATE_MACHINE, OPENS
from tests.support.automations import automation, executions, publish, run_until, sent_to, settle
from tests.support.campaigns import drain, links, parts, staff, subscriber
from tests.support.events import call
from tests.support.queues import receive

HOUR_SECONDS = 0.02  # a 24-hour delay takes about half a second


@pytest.fixture
def api(api_handler, monkeypatch):
    monkeypatch.setenv("AUTOMATION_HOUR_SECONDS", str(HOUR_SECONDS))
    return api_handler


def register(aws, address: str, user_id: str, *, opt_in: bool = True) -> None:
    publish(
        aws,
        "user.registered",
        {"user_id": user_id, "email": address, "first_name": "Ada", "marketing_opt_in": opt_in},
    )


def test_a_welcome_series_sends_each_email_in_order_after_its_delay_once(aws, api):
    series = automation(api, "user_registered", [0, 24, 48])
    register(aws, "ada@example.com", "u1")
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 3)

    emails = sent_to("ada@example.com")
    assert [message["Subject"] for message in emails] == ["Email 1", "Email 2", "Email 3"]
    for message in emails:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        _, html = parts(message)
        assert links(html, "open")
        assert links(html, "click")
    [run] = executions(api, series["id"])
    assert run["status"] == "completed"
    assert run["current_email_order"] == 3
    assert run["entry"] == 1

    register(aws, "ada@example.com", "u1")  # the same event again: nothing new
    settle(aws, 1.0)
    assert len(sent_to("ada@example.com")) == 3
    status, analytics = staff(api, "GET", f"/automations/{series['id']}/analytics/")
    assert status == 200
    assert (analytics["entered"], analytics["completed"], analytics["in_progress"]) == (1, 1, 0)
    assert [email["sent"] for email in analytics["emails"]] == [1, 1, 1]
    status, timeline = staff(api, "GET", f"/automations/{series['id']}/analytics/timeline/")
    assert status == 200
    assert [email["order"] for email in timeline["emails"]] == [1, 2, 3]
    assert [sum(bucket["sent"] for bucket in email["buckets"]) for email in timeline["emails"]] == [1, 1, 1]
    assert {email["granularity"] for email in timeline["emails"]} == {"hour"}  # a series made just now


def test_a_contact_without_consent_starts_no_run(aws, api):
    series = automation(api, "user_registered", [0])
    register(aws, "quiet@example.com", "u2", opt_in=False)
    settle(aws, 0.5)
    assert executions(api, series["id"]) == []
    assert sent_to("quiet@example.com") == []


def test_unsubscribing_halfway_stops_the_rest(aws, api):
    series = automation(api, "user_registered", [0, 24, 24])
    register(aws, "ada@example.com", "u1")
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    html = parts(sent_to("ada@example.com")[0])[1]
    unsubscribe = html.split('href="https://marketing.test/api/v1/marketing')[-2].split('"')[0]  # footer link
    assert unsubscribe.startswith("/unsubscribe/")
    token = unsubscribe.split("token=")[1].replace("&amp;", "&")
    status, _ = call(api, "POST", "/unsubscribe/", "List-Unsubscribe=One-Click", query={"token": unquote(token)})
    assert status == 200

    run_until(aws, lambda: executions(api, series["id"])[0]["status"] == "stopped")
    settle(aws, 1.5)
    assert len(sent_to("ada@example.com")) == 1
    [run] = executions(api, series["id"])
    assert "unsubscribed" in run["stopped_reason"]


def test_an_order_paid_stops_an_abandoned_cart_run_before_its_second_email(aws, api):
    series = automation(api, "cart_abandoned", [0, 48])
    register(aws, "bob@example.com", "u3")
    publish(
        aws,
        "cart.abandoned",
        {
            "cart_id": "c1",
            "email": "bob@example.com",
            "cart_url": "https://shop.example/cart/c1",
            "abandoned_at": "2026-11-20T10:00:00Z",
        },
    )
    run_until(aws, lambda: len(sent_to("bob@example.com")) == 1)
    publish(
        aws,
        "order.paid",
        {"order_id": "o1", "email": "bob@example.com", "total": "20.00", "paid_at": "2026-11-20T11:00:00Z"},
    )

    [run] = executions(api, series["id"], status="stopped")
    assert run["stopped_reason"] == "order o1 paid"
    settle(aws, 1.5)
    assert len(sent_to("bob@example.com")) == 1
    record = execution_store.find(series["id"], run["contact_id"])
    status = boto3.client("stepfunctions").describe_execution(executionArn=record.execution_arn)["status"]
    assert status == "ABORTED"


@pytest.fixture
def paused_run(aws, api):
    """A two-email series paused after Ada's first email, its run holding the second's task."""
    series = automation(api, "user_registered", [0, 12])
    register(aws, "ada@example.com", "u1")
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    assert staff(api, "POST", f"/automations/{series['id']}/pause/")[1]["status"] == "paused"
    run_until(aws, lambda: executions(api, series["id"])[0]["held"])
    return series, execution_store.find(series["id"], executions(api, series["id"])[0]["contact_id"])


def queue(aws, task: SendTask) -> None:
    boto3.client("sqs").send_message(QueueUrl=aws[AUTOMATION_SENDS.env_var], MessageBody=task.model_dump_json())


def activate_and_finish(aws, api, series: dict) -> None:
    assert staff(api, "POST", f"/automations/{series['id']}/activate/")[1]["status"] == "active"
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 2)
    run_until(aws, lambda: executions(api, series["id"])[0]["status"] == "completed")


def test_pausing_holds_the_next_email_until_activated(aws, api, paused_run):
    series, _ = paused_run
    settle(aws, 0.5)
    assert len(sent_to("ada@example.com")) == 1
    activate_and_finish(aws, api, series)


def test_a_late_copy_of_an_earlier_emails_message_leaves_the_held_email_to_the_activation(aws, api, paused_run):
    series, run = paused_run
    queue(aws, SendTask(execution=run.key, order=1, of=2, task_token="answered-already"))  # SQS delivered it again
    settle(aws, 0.5)
    assert executions(api, series["id"])[0]["held"]  # email 2's hold stands
    activate_and_finish(aws, api, series)


def test_a_run_whose_automation_was_deleted_stops_and_brings_no_automation_back(aws, api, paused_run):
    from marketing.automations.store.automations import AutomationRecord

    series, run = paused_run
    assert staff(api, "DELETE", f"/automations/{series['id']}/")[0] == 204
    queue(aws, SendTask(execution=run.key, order=2, of=2, task_token=run.task_token))  # the held email comes back
    run_until(aws, lambda: not execution_store.find(series["id"], run.key.contact_id).running)
    assert execution_store.find(series["id"], run.key.contact_id).status == "stopped"
    assert AutomationRecord.count(series["id"]) == 0  # no item of its id and counters alone
    assert staff(api, "GET", f"/automations/{series['id']}/")[0] == 404
    assert len(sent_to("ada@example.com")) == 1


def test_a_redelivered_send_task_sends_nothing_twice(aws, api):
    series = automation(api, "user_registered", [0, 500])
    register(aws, "ada@example.com", "u1")
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    run = execution_store.find(series["id"], executions(api, series["id"])[0]["contact_id"])
    again = SendTask(execution=run.key, order=1, of=2, task_token="answered-already")
    boto3.client("sqs").send_message(QueueUrl=aws[AUTOMATION_SENDS.env_var], MessageBody=again.model_dump_json())
    settle(aws, 0.5)
    assert len(sent_to("ada@example.com")) == 1


def test_reentry_after_completion_is_a_new_run_only_where_allowed(aws, api):
    once = automation(api, "cart_abandoned", [0])
    again = automation(api, "cart_abandoned", [0], allow_reentry=True)
    register(aws, "bob@example.com", "u3")
    for cart in ("c1", "c2"):
        publish(
            aws, "cart.abandoned", {"cart_id": cart, "email": "bob@example.com", "abandoned_at": "2026-11-20T10:00:00Z"}
        )
        run_until(aws, lambda: all(executions(api, a["id"])[0]["status"] == "completed" for a in (once, again)))
    assert executions(api, once["id"])[0]["entry"] == 1
    assert executions(api, again["id"])[0]["entry"] == 2
    assert len(sent_to("bob@example.com")) == 3


def test_an_idle_cart_is_abandoned_once_unless_an_order_came_since(aws, api):
    series = automation(api, "cart_abandoned", [0])
    register(aws, "bob@example.com", "u3")
    register(aws, "cy@example.com", "u4")
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    for cart, address in (("c1", "bob@example.com"), ("c2", "cy@example.com")):
        publish(
            aws,
            "cart.updated",
            {"cart_id": cart, "email": address, "item_count": 1, "total": "9.00", "updated_at": two_hours_ago},
        )
    publish(
        aws,
        "order.paid",
        {"order_id": "o9", "email": "cy@example.com", "total": "9.00", "paid_at": datetime.now(UTC).isoformat()},
    )

    assert carts.find_abandoned() == {"abandoned": 1, "ordered": 1}
    assert carts.find_abandoned() == {"abandoned": 0, "ordered": 0}
    run_until(aws, lambda: len(sent_to("bob@example.com")) == 1)
    assert sent_to("cy@example.com") == []
    assert [run["trigger"] for run in executions(api, series["id"])] == ["cart_abandoned"]


def test_the_sweep_hands_back_an_email_a_worker_never_finished_and_counts_who_waits(aws, api):
    series = automation(api, "user_registered", [0, 500])
    register(aws, "ada@example.com", "u1")
    messages: list[dict] = []
    deadline = time.monotonic() + 5
    while not messages:  # no worker runs: this test plays the worker that takes the email and dies
        assert time.monotonic() < deadline, "the state machine handed over no email"
        messages += [m for m in receive(aws[AUTOMATION_SENDS.env_var]) if "task_token" in m["Body"]]
    # The worker took the email and died: its token is on the run, the message is gone.
    task = SendTask.model_validate_json(messages[0]["Body"])
    run = execution_store.find(series["id"], task.execution.contact_id)
    execution_store.hold_task(task.execution, task.order, task.task_token, datetime.now(UTC) - timedelta(hours=1))
    boto3.client("sqs").delete_message(
        QueueUrl=aws[AUTOMATION_SENDS.env_var], ReceiptHandle=messages[0]["ReceiptHandle"]
    )

    found = automation_sweep.sweep()
    assert found == {"handed_back": 1}
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    run_until(aws, lambda: executions(api, series["id"])[0]["current_email_order"] == 1)
    assert automation_sweep.sweep() == {"waiting": 1}
    _status, analytics = staff(api, "GET", f"/automations/{series['id']}/analytics/")
    assert analytics["waiting_by_email"] == {"2": 1}
    assert analytics["counted_at"]
    assert run.execution_arn


def test_a_pending_run_the_start_never_reached_is_started_by_the_sweep(aws, api, monkeypatch):
    series = automation(api, "user_registered", [0])
    contact_id = subscriber(api, "ada@example.com", "Ada")["contact_id"]

    def unavailable(*_args, **_kwargs):
        raise RuntimeError("Step Functions is unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(workflows, "start", unavailable)
        with pytest.raises(RuntimeError):
            automation_runs.trigger(Trigger.USER_REGISTERED, contact_id, "user:u1", datetime.now(UTC))
    assert executions(api, series["id"])[0]["status"] == "pending"

    assert automation_sweep.sweep() == {"starting": 1}  # too recent to call stuck
    assert automation_sweep.sweep(datetime.now(UTC) + timedelta(minutes=20)) == {"restarted": 1}
    run_until(aws, lambda: executions(api, series["id"])[0]["status"] == "completed")
    assert len(sent_to("ada@example.com")) == 1


def test_the_state_machine_is_the_repositorys_definition(aws):
    machine = boto3.client("stepfunctions").describe_state_machine(
        stateMachineArn=aws[AUTOMATION_STATE_MACHINE.env_var]
    )
    assert '"arn:aws:states:::sqs:sendMessage.waitForTaskToken"' in machine["definition"]
    assert aws[AUTOMATION_SENDS.env_var] in machine["definition"]


def test_a_click_in_an_automation_email_then_an_order_is_that_emails_conversion(aws, api):
    series = automation(api, "user_registered", [0])
    register(aws, "ada@example.com", "u1")
    run_until(aws, lambda: len(sent_to("ada@example.com")) == 1)
    [click] = links(parts(sent_to("ada@example.com")[0])[1], "click")
    status, _ = call(api, "GET", click)
    assert status == 302
    drain(aws, OPENS)  # a click counts as an open, recorded by the opens worker
    paid_at = datetime.now(UTC).isoformat()
    publish(aws, "order.paid", {"order_id": "o7", "email": "ada@example.com", "total": "42.50", "paid_at": paid_at})
    publish(aws, "order.paid", {"order_id": "o7", "email": "ada@example.com", "total": "42.50", "paid_at": paid_at})

    status, analytics = staff(api, "GET", f"/automations/{series['id']}/analytics/")
    [email] = analytics["emails"]
    assert (email["clicked"], email["opened"], email["conversions"], email["revenue"]) == (1, 1, 1, "42.50")
    assert (analytics["conversions"], analytics["revenue"]) == (1, "42.50")
