"""Contact imports: created through the API, the CSV put in the bucket (S3 notifies the queue as
it would in AWS), the worker run on what the queue holds, progress read back through the API."""

from __future__ import annotations

import importlib

import boto3
import pytest

from marketing.audience.models.consents import ConsentContext, ConsentMethod
from marketing.audience.models.subscribers import SubscriberSource, SubscriberStatus
from marketing.audience.services import imports, subscribers
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.catalog.topology import CONTACT_IMPORTS, IMPORTS_BUCKET_ENV
from tests.support.events import STAFF, call
from tests.support.queues import deliver, receive

THREE_GOOD_TWO_BAD = (
    "email,first_name,last_name,lifecycle_stage,tags\n"
    "ada@example.com,Ada,Lovelace,customer,vip;early\n"
    "not-an-email,Bad,Row,lead,\n"
    "grace@example.com,Grace,Hopper,lead,\n"
    "alan@example.com,Alan,Turing,royalty,\n"
    "linus@example.com,Linus,,vip,\n"
)


NO_CONFIRMATIONS_OR_REFUSALS = {"awaiting_confirmation": 0, "confirmations_sent": 0, "not_subscribed": 0}
CHECKOUT_BOX = {"method": "newsletter box at checkout", "source": "shop.example", "collected_on": "2026-05-01"}


@pytest.fixture
def worker(aws):
    return importlib.import_module("workers.contact_import").lambda_handler


@pytest.fixture
def run_import(api_handler, aws, worker):
    """Creates an import, uploads `csv_text` to its key, runs the worker until the queue is empty."""

    def run_import(csv_text: str, consent: dict | None = CHECKOUT_BOX) -> dict:
        body = {"filename": "list.csv", **({"consent": consent} if consent else {})}
        status, created = call(api_handler, "POST", "/contacts/imports/", body, authorizer=STAFF)
        assert status == 201, created
        assert created["status"] == "awaiting_upload"
        assert created["upload"]["method"] == "PUT"
        assert created["id"] in created["upload"]["url"]
        boto3.client("s3").put_object(
            Bucket=aws[IMPORTS_BUCKET_ENV], Key=f"imports/{created['id']}.csv", Body=csv_text.encode()
        )
        while messages := receive(aws[CONTACT_IMPORTS.env_var]):
            deliver(worker, aws[CONTACT_IMPORTS.env_var], messages)
        status, result = call(api_handler, "GET", f"/contacts/imports/{created['id']}/", authorizer=STAFF)
        assert status == 200
        return result

    return run_import


def test_three_good_rows_and_two_bad_ones(run_import):
    result = run_import(THREE_GOOD_TWO_BAD)
    assert result["status"] == "completed"
    assert result["upload"] is None
    assert result["counts"] == {
        "rows": 5,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        **NO_CONFIRMATIONS_OR_REFUSALS,
    }
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(3, "email"), (5, "lifecycle_stage")]
    assert "not a valid email address" in result["errors"][0]["reason"]
    assert "'customer'" in result["errors"][1]["reason"]
    ada = contact_store.find_by_email("ada@example.com")
    assert (ada.first_name, ada.lifecycle_stage.value, ada.tags) == ("Ada", "customer", ["vip", "early"])
    assert contact_store.find_by_email("alan@example.com") is None


def test_existing_contacts_are_updated_tags_added_and_subscriptions_made(run_import):
    run_import("email,tags\nada@example.com,vip\n")
    result = run_import(
        "Email,First_Name,Tags,Subscribed,Shoe_Size\n"
        "ADA@example.com,Ada,newsletter,yes,5\n"
        "ada@example.com,Ada,,,\n"
        "bob@example.com,,,no,9\n"
    )
    assert result["counts"] == {
        "rows": 3,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "rejected": 0,
        **NO_CONFIRMATIONS_OR_REFUSALS,
    }
    assert result["ignored_columns"] == ["shoe_size"]
    ada = contact_store.find_by_email("ada@example.com")
    assert ada.tags == ["vip", "newsletter"]
    subscriber = subscriber_store.get(subscriber_store.subscriber_id(ada.id))
    assert subscriber.source == SubscriberSource.IMPORT
    bob = contact_store.find_by_email("bob@example.com")
    assert subscriber_store.find(subscriber_store.subscriber_id(bob.id)) is None


def test_an_import_never_subscribes_an_address_that_opted_out_or_was_suppressed(run_import):
    run_import("email,subscribed\nuna@example.com,yes\nbo@example.com,yes\n")
    una, bo = (contact_store.find_by_email(f"{name}@example.com") for name in ("una", "bo"))
    subscribers.unsubscribe(subscriber_store.subscriber_id(una.id), ConsentContext(ConsentMethod.STAFF, "staff:test"))
    subscribers.suppress(bo, SubscriberStatus.BOUNCED)
    result = run_import("email,first_name,subscribed\nuna@example.com,Una,yes\nbo@example.com,Bo,yes\n")
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(2, "subscribed"), (3, "subscribed")]
    assert "unsubscribed" in result["errors"][0]["reason"]
    assert "bounced" in result["errors"][1]["reason"]
    assert result["counts"]["not_subscribed"] == 2  # counted too: the errors list keeps the first 100 only
    assert subscriber_store.get(subscriber_store.subscriber_id(una.id)).status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber_store.get(subscriber_store.subscriber_id(bo.id)).status == SubscriberStatus.BOUNCED
    assert contact_store.find_by_email("una@example.com").first_name == "Una"  # the rest of the row is imported


def test_a_file_is_processed_in_chunks_and_a_redelivered_chunk_counts_once(api_handler, aws, worker, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = "".join(f'c{n}@example.com,"Name, {n}"\n' for n in range(5))
    _, created = call(api_handler, "POST", "/contacts/imports/", {}, authorizer=STAFF)
    boto3.client("s3").put_object(
        Bucket=aws[IMPORTS_BUCKET_ENV], Key=f"imports/{created['id']}.csv", Body=f"email,first_name\n{rows}".encode()
    )
    queue = aws[CONTACT_IMPORTS.env_var]
    deliver(worker, queue)  # the bucket's test event and the upload notification
    progress = call(api_handler, "GET", f"/contacts/imports/{created['id']}/", authorizer=STAFF)[1]
    assert (progress["status"], progress["counts"]["created"]) == ("processing", 2)

    (next_chunk,) = receive(queue)
    deliver(worker, queue, [next_chunk])
    deliver(worker, queue, [next_chunk])  # SQS delivered it again
    deliver(worker, queue)
    result = call(api_handler, "GET", f"/contacts/imports/{created['id']}/", authorizer=STAFF)[1]
    assert result["status"] == "completed"
    assert result["counts"]["created"] == 5
    assert result["counts"]["rows"] == 5
    assert contact_store.find_by_email("c3@example.com").first_name == "Name, 3"


def test_a_file_without_an_email_column_fails_with_the_reason(run_import):
    result = run_import("name,stage\nAda,lead\n")
    assert result["status"] == "failed"
    assert "email" in result["failure_reason"]


def test_an_unknown_import_is_a_404(api_handler):
    assert call(api_handler, "GET", "/contacts/imports/imp_nope/", authorizer=STAFF)[0] == 404


def test_rows_without_consent_wait_for_a_re_permission_email_sent_once(run_import, api_handler, aws, worker):
    from tests.integration.api.test_signups import confirm, confirmation_token, consents, mail_to

    result = run_import(
        "email,subscribed,consent_method,consent_date\n"
        "kept@example.com,yes,paper form at the fair,2026-06-01\n"
        "asked@example.com,yes,,\n",
        consent=None,
    )
    assert result["counts"]["awaiting_confirmation"] == 1
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(3, "subscribed")]
    assert "no consent stated" in result["errors"][0]["reason"]
    kept, asked = (contact_store.find_by_email(f"{name}@example.com") for name in ("kept", "asked"))
    assert (kept.subscription_status, asked.subscription_status) == (SubscriberStatus.SUBSCRIBED, None)
    (entry,) = consents(api_handler, kept.id)
    assert entry["method"] == "import"
    assert entry["source"] == f"import {result['id']}, row 2: paper form at the fair; collected 2026-06-01"

    for _ in range(2):  # asked twice: one email
        status, body = call(api_handler, "POST", f"/contacts/imports/{result['id']}/confirmations/", authorizer=STAFF)
        assert status == 202, body
        while messages := receive(aws[CONTACT_IMPORTS.env_var]):
            deliver(worker, aws[CONTACT_IMPORTS.env_var], messages)
    (email,) = mail_to("asked@example.com")
    assert (
        call(api_handler, "GET", f"/contacts/imports/{result['id']}/", authorizer=STAFF)[1]["counts"][
            "confirmations_sent"
        ]
        == 1
    )
    assert confirm(api_handler, confirmation_token(email))[0] == 200
    signup, confirmed = consents(api_handler, asked.id)
    assert (signup["method"], signup["actor"]) == ("import", f"import:{result['id']}")
    assert confirmed["status"] == "subscribed"


def test_the_import_policy_asks_even_stated_consents_to_confirm(run_import, monkeypatch):
    from tests.integration.api.test_signups import mail_to

    monkeypatch.setenv("DOUBLE_OPT_IN_IMPORTS", "always")
    result = run_import("email,subscribed\nde@example.com,yes\n")
    assert result["counts"]["awaiting_confirmation"] == 1
    assert result["errors"] == []
    assert contact_store.find_by_email("de@example.com").subscription_status is None
    assert len(mail_to("de@example.com")) == 1  # sent when the import completed
    assert result["counts"]["confirmations_sent"] in (0, 1)  # read before or after the round's count


def test_no_one_who_opted_out_was_suppressed_or_erased_is_asked_to_confirm(run_import, api_handler, aws, worker):
    """A re-permission email is marketing too: an opt-out sticks (decision 52), and so do a
    suppression and the do-not-email list; an address that never subscribed is still asked."""
    from tests.integration.api.test_do_not_email import erase
    from tests.integration.api.test_signups import mail_to

    run_import("email,subscribed\nuna@example.com,yes\nbo@example.com,yes\ned@example.com,yes\n")
    una, bo, ed = (contact_store.find_by_email(f"{name}@example.com") for name in ("una", "bo", "ed"))
    subscribers.unsubscribe(subscriber_store.subscriber_id(una.id), ConsentContext(ConsentMethod.STAFF, "staff:test"))
    subscribers.suppress(bo, SubscriberStatus.BOUNCED)
    erase(api_handler, ed.id)

    result = run_import(
        "email,subscribed\nuna@example.com,yes\nbo@example.com,yes\ned@example.com,yes\nnew@example.com,yes\n",
        consent=None,
    )
    assert (result["counts"]["awaiting_confirmation"], result["counts"]["not_subscribed"]) == (1, 3)
    assert [(error["row"], error["field"]) for error in result["errors"]] == [
        (2, "subscribed"),
        (3, "subscribed"),
        (4, "subscribed"),
        (5, "subscribed"),
    ]
    reasons = [error["reason"] for error in result["errors"]]
    assert [reason.split(" ", 2)[:2] for reason in reasons] == [["not", "subscribed:"]] * 4
    assert ("unsubscribed" in reasons[0], "bounced" in reasons[1], "do-not-email list" in reasons[2]) == (True,) * 3
    assert reasons[3] == imports.NO_CONSENT
    assert contact_store.find_by_email("ed@example.com") is not None  # the rest of the row is imported

    status, body = call(api_handler, "POST", f"/contacts/imports/{result['id']}/confirmations/", authorizer=STAFF)
    assert status == 202, body
    while messages := receive(aws[CONTACT_IMPORTS.env_var]):
        deliver(worker, aws[CONTACT_IMPORTS.env_var], messages)
    assert [len(mail_to(f"{name}@example.com")) for name in ("una", "bo", "ed", "new")] == [0, 0, 0, 1]


def test_the_import_policy_asks_no_one_who_opted_out_even_with_a_stated_consent(run_import, monkeypatch):
    from tests.integration.api.test_signups import mail_to

    run_import("email,subscribed\nuna@example.com,yes\n")
    una = contact_store.find_by_email("una@example.com")
    subscribers.unsubscribe(subscriber_store.subscriber_id(una.id), ConsentContext(ConsentMethod.STAFF, "staff:test"))
    monkeypatch.setenv("DOUBLE_OPT_IN_IMPORTS", "always")

    result = run_import("email,subscribed\nuna@example.com,yes\n")
    assert (result["counts"]["awaiting_confirmation"], result["counts"]["not_subscribed"]) == (0, 1)
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(2, "subscribed")]
    assert mail_to("una@example.com") == []
    assert subscriber_store.get(subscriber_store.subscriber_id(una.id)).status == SubscriberStatus.UNSUBSCRIBED


def test_a_row_that_opted_out_after_the_import_gets_no_email_when_staff_ask(run_import, api_handler, aws, worker):
    from tests.integration.api.test_signups import mail_to

    result = run_import("email,subscribed\nlate@example.com,yes\nkeen@example.com,yes\n", consent=None)
    assert result["counts"]["awaiting_confirmation"] == 2
    late = contact_store.find_by_email("late@example.com")
    how = ConsentContext(ConsentMethod.STAFF, "staff:test")
    subscribers.subscribe_contact(late, SubscriberSource.API, None, how)  # then they opted out
    subscribers.unsubscribe(subscriber_store.subscriber_id(late.id), how)

    status, body = call(api_handler, "POST", f"/contacts/imports/{result['id']}/confirmations/", authorizer=STAFF)
    assert status == 202, body
    while messages := receive(aws[CONTACT_IMPORTS.env_var]):
        deliver(worker, aws[CONTACT_IMPORTS.env_var], messages)
    assert (len(mail_to("late@example.com")), len(mail_to("keen@example.com"))) == (0, 1)
    counts = call(api_handler, "GET", f"/contacts/imports/{result['id']}/", authorizer=STAFF)[1]["counts"]
    assert counts["confirmations_sent"] == 1


def test_an_import_fills_in_a_user_id_but_never_moves_a_contact_to_another_user(run_import):
    """user_id decides whose points and referrals a contact's erasure reaches: read-only once set
    (decision 55), for an import as for PATCH contacts/{id}/."""
    run_import("email,user_id\nada@example.com,u-ada\nbo@example.com,\n")
    result = run_import(
        "email,first_name,user_id\nada@example.com,Ada,u-eve\nbo@example.com,Bo,u-bo\nada@example.com,,u-ada\n"
    )
    assert result["counts"]["rejected"] == 0
    assert (result["counts"]["updated"], result["counts"]["unchanged"]) == (2, 1)
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(2, "user_id")]
    assert result["errors"][0]["reason"] == imports.USER_KEPT
    ada, bo = (contact_store.find_by_email(f"{name}@example.com") for name in ("ada", "bo"))
    assert (ada.user_id, ada.first_name) == ("u-ada", "Ada")  # the rest of the row is applied
    assert (bo.user_id, bo.first_name) == ("u-bo", "Bo")  # filled in where there was none
