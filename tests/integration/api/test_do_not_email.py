"""Erasure keeps do-not-email (issue 19, item 5): an erased contact's address stays on a list as a
keyed hash with the reason, and no import, subscribe, staff change or send reaches it again.
Through the API handler and the import and delivery workers, on moto."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime

import boto3
import pytest

from marketing.audience.address_hashes import address_hasher
from marketing.audience.models.subscribers import SubscriberStatus
from marketing.audience.services import subscribers
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import orders as order_store
from marketing.catalog.topology import CONTACT_IMPORTS, IMPORTS_BUCKET_ENV, SES_EVENTS
from marketing.email.links import email_links
from marketing.tokens import deployment_keys, deployment_signer
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import campaign_for, drain, outbox, staff, subscriber
from tests.support.events import call, customer
from tests.support.queues import deliver, receive


@pytest.fixture
def run_import(aws, api_handler):
    """Creates an import, uploads `csv_text` to its key, runs the worker; returns the finished import."""
    worker = importlib.import_module("workers.contact_import").lambda_handler

    def run_import(csv_text: str) -> dict:
        consent = {"method": "newsletter box at checkout"}
        status, created = staff(api_handler, "POST", "/contacts/imports/", {"filename": "list.csv", "consent": consent})
        assert status == 201, created
        boto3.client("s3").put_object(
            Bucket=aws[IMPORTS_BUCKET_ENV], Key=f"imports/{created['id']}.csv", Body=csv_text.encode()
        )
        while messages := receive(aws[CONTACT_IMPORTS.env_var]):
            deliver(worker, aws[CONTACT_IMPORTS.env_var], messages)
        result = staff(api_handler, "GET", f"/contacts/imports/{created['id']}/")[1]
        assert result["status"] == "completed", result
        return result

    return run_import


def new_container() -> None:
    """Forget the keys this process read, as a container started after a rotation has."""
    for cached in (deployment_keys, deployment_signer, address_hasher, email_links):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def keys_of_this_test():
    new_container()
    yield
    new_container()


def listed(aws) -> list[dict]:
    """The do-not-email table's items as DynamoDB holds them."""
    return boto3.client("dynamodb").scan(TableName=aws["DO_NOT_EMAIL_TABLE"])["Items"]


def contact_of(api, address: str) -> dict | None:
    items = staff(api, "GET", "/contacts/", query={"email": address})[1]["items"]
    return items[0] if items else None


def erase(api, contact_id: str) -> None:
    status, body = staff(api, "DELETE", f"/contacts/{contact_id}/")
    assert status == 204, body


def send_to_everyone(aws, api) -> dict:
    """A campaign to every contact there is, sent; returns its recipients by address (lower-cased)."""
    everyone = [item["id"] for item in staff(api, "GET", "/contacts/", query={"limit": "100"})[1]["items"]]
    campaign = campaign_for(api, everyone)
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    recipients = staff(api, "GET", f"/campaigns/{campaign['id']}/recipients/")[1]["items"]
    return {item["email"].lower(): item for item in recipients}


def test_an_erased_unsubscriber_reimported_with_subscribed_yes_is_not_emailed(aws, api_handler, run_import):
    una = subscriber(api_handler, "una@example.com", "Una", subscribed=False)
    subscriber(api_handler, "ada@example.com", "Ada")  # never suppressed
    erase(api_handler, una["contact_id"])

    # The table holds a hash and the reason: no address, no name, no contact id.
    [item] = listed(aws)
    assert set(item) == {"address_hash", "reason", "since", "key_id"}
    assert item["reason"] == {"S": "unsubscribed"}
    assert item["since"] == {"S": datetime.now(UTC).date().isoformat()}
    stored = json.dumps(item).lower()
    assert not [fragment for fragment in ("una", "example", una["contact_id"], una["id"]) if fragment in stored]

    result = run_import(
        "email,first_name,subscribed\nUna@Example.com,Una,yes\nada@example.com,Ada,yes\nnew@example.com,New,yes\n"
    )
    assert result["counts"]["rejected"] == 0  # the row is imported, only not subscribed
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(2, "subscribed")]
    assert "do-not-email list" in result["errors"][0]["reason"]
    assert "by confirming a signup (double opt-in)" in result["errors"][0]["reason"]
    back = contact_of(api_handler, "una@example.com")
    assert (back["first_name"], back["subscription_status"]) == ("Una", None)
    assert contact_of(api_handler, "new@example.com")["subscription_status"] == "subscribed"  # unaffected

    recipients = send_to_everyone(aws, api_handler)
    assert sorted(str(message["To"]) for message in outbox()) == ["ada@example.com", "new@example.com"]
    assert (recipients["una@example.com"]["status"], recipients["una@example.com"]["suppressed_reason"]) == (
        "suppressed",
        "not_subscribed",
    )


@pytest.mark.parametrize(
    ("status", "says"),
    [("bounced", "cannot be subscribed again"), ("complained", "cannot be subscribed again")],
)
def test_a_bounced_or_complained_address_erased_cannot_subscribe_again_even_in_person(api_handler, status, says):
    bo = subscriber(api_handler, "bo@example.com", "Bo")
    assert staff(api_handler, "PATCH", f"/subscribers/{bo['id']}/", {"status": status})[0] == 200
    erase(api_handler, bo["contact_id"])

    code, body = call(api_handler, "POST", "/subscribers/", {}, authorizer=customer("bo", "bo@example.com"))
    assert code == 422, body
    assert body["error"]["code"] == "business_rule"
    [detail] = body["error"]["details"]
    assert detail["field"] == "email"
    assert says in detail["reason"]
    assert "opt-in" not in detail["reason"]
    assert contact_of(api_handler, "bo@example.com") is None  # a refused subscribe makes no contact


def test_an_address_erased_on_request_needs_a_confirmed_opt_in_to_subscribe_again(api_handler):
    status, cy = staff(api_handler, "POST", "/contacts/", {"email": "cy@example.com"})  # never subscribed
    assert status == 201
    erase(api_handler, cy["id"])
    code, body = call(api_handler, "POST", "/subscribers/", {}, authorizer=customer("cy", "CY@example.com"))
    assert code == 422, body
    assert body["error"]["details"][0]["field"] == "email"
    assert "asked to be erased" in body["error"]["details"][0]["reason"]
    assert "by confirming a signup (double opt-in)" in body["error"]["message"]
    # Someone never erased subscribes as before.
    code, body = call(api_handler, "POST", "/subscribers/", {}, authorizer=customer("dee", "dee@example.com"))
    assert (code, body["status"]) == (201, "subscribed")


def test_a_send_checks_the_list_as_a_last_line_and_staff_cannot_resubscribe(aws, api_handler):
    status, gone = staff(api_handler, "POST", "/contacts/", {"email": "gone@example.com"})
    erase(api_handler, gone["id"])
    kim = subscriber(api_handler, "kim@example.com", "Kim")
    # Staff move a subscribed contact onto the erased address: nothing refuses that edit, so the send does.
    status, moved = staff(api_handler, "PATCH", f"/contacts/{kim['contact_id']}/", {"email": "Gone@example.com"})
    assert (status, moved["subscription_status"]) == (200, "subscribed")

    recipients = send_to_everyone(aws, api_handler)
    assert outbox() == []
    assert (recipients["gone@example.com"]["status"], recipients["gone@example.com"]["suppressed_reason"]) == (
        "suppressed",
        "do_not_email",
    )
    campaign_id = recipients["gone@example.com"]["campaign_id"]
    status, body = staff(api_handler, "POST", f"/campaigns/{campaign_id}/test-send/", {"emails": ["gone@example.com"]})
    assert (status, body["error"]["details"][0]["field"]) == (422, "emails")
    assert outbox() == []

    assert staff(api_handler, "DELETE", f"/subscribers/{kim['id']}/")[1]["status"] == "unsubscribed"
    status, body = staff(api_handler, "PATCH", f"/subscribers/{kim['id']}/", {"status": "subscribed"})
    assert (status, body["error"]["details"][0]["field"]) == (422, "status")
    assert "do-not-email list" in body["error"]["details"][0]["reason"]


def test_the_export_of_a_contact_back_on_an_erased_address_shows_its_entry(api_handler, run_import):
    una = subscriber(api_handler, "una@example.com", "Una", subscribed=False)
    erase(api_handler, una["contact_id"])
    run_import("email,subscribed\nuna@example.com,yes\n")
    export = staff(api_handler, "GET", f"/contacts/{contact_of(api_handler, 'una@example.com')['id']}/export/")[1]
    assert export["do_not_email"] == {"reason": "unsubscribed", "since": datetime.now(UTC).date().isoformat()}
    assert export["subscriber"] is None
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    assert staff(api_handler, "GET", f"/contacts/{ada['contact_id']}/export/")[1]["do_not_email"] is None


def test_erasing_an_address_again_never_weakens_its_entry(aws, api_handler, run_import):
    bo = subscriber(api_handler, "bo@example.com", "Bo")
    staff(api_handler, "PATCH", f"/subscribers/{bo['id']}/", {"status": "bounced"})
    erase(api_handler, bo["contact_id"])
    before = listed(aws)
    run_import("email,first_name\nbo@example.com,Bo\n")  # back as a contact that never subscribed
    erase(api_handler, contact_of(api_handler, "bo@example.com")["id"])  # on its own: erased on request
    assert listed(aws) == before
    assert before[0]["reason"] == {"S": "bounced"}


def test_a_bounce_recorded_while_the_contact_is_erased_makes_the_erasure_retry(aws, api_handler, monkeypatch):
    """The reason is read from the subscriber when the erasure starts; its deletion in the last
    transaction is conditional on it, so a bounce in between is never recorded as a weaker reason."""
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    forget_orders = order_store.forget_contact

    def bounce_meanwhile(contact_id: str) -> None:
        subscribers.suppress(contact_store.get(contact_id), SubscriberStatus.BOUNCED)
        forget_orders(contact_id)

    monkeypatch.setattr(order_store, "forget_contact", bounce_meanwhile)
    status, body = staff(api_handler, "DELETE", f"/contacts/{ada['contact_id']}/")
    assert (status, body["error"]["code"]) == (409, "conflict")
    assert listed(aws) == []
    assert contact_of(api_handler, "ada@example.com") is not None  # nothing of the last step happened

    monkeypatch.setattr(order_store, "forget_contact", forget_orders)
    erase(api_handler, ada["contact_id"])
    assert [item["reason"] for item in listed(aws)] == [{"S": "bounced"}]


def rotate(secret_name: str, value: str) -> None:
    """What a rotation leaves behind: a new AWSCURRENT version, the old one AWSPREVIOUS."""
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_name, SecretString=value)
    new_container()


def test_an_entry_survives_rotations_of_the_secret(aws, api_handler, run_import):
    una = subscriber(api_handler, "una@example.com", "Una", subscribed=False)
    erase(api_handler, una["contact_id"])
    [first] = listed(aws)

    rotate(aws["TOKEN_SECRET_NAME"], "second-" + "k" * 40)
    result = run_import("email,subscribed\nuna@example.com,yes\n")
    assert [error["field"] for error in result["errors"]] == ["subscribed"]  # matched under the previous key
    entries = listed(aws)
    assert len(entries) == 2  # and written again under the current one, same reason and day
    assert {item["key_id"]["S"] for item in entries} - {first["key_id"]["S"]}
    assert {(item["reason"]["S"], item["since"]["S"]) for item in entries} == {
        (first["reason"]["S"], first["since"]["S"])
    }

    rotate(aws["TOKEN_SECRET_NAME"], "third-" + "k" * 40)  # retires the key of the first entry
    result = run_import("email,subscribed\nuna@example.com,yes\n")
    assert [error["field"] for error in result["errors"]] == ["subscribed"]
    assert contact_of(api_handler, "una@example.com")["subscription_status"] is None


def test_an_erasure_after_a_rotation_writes_under_the_current_and_the_previous_version(aws, api_handler):
    """A container that has not read the new version yet still finds what a newer one wrote."""
    rotate(aws["TOKEN_SECRET_NAME"], "second-" + "k" * 40)
    una = subscriber(api_handler, "una@example.com", "Una", subscribed=False)
    erase(api_handler, una["contact_id"])
    assert len({item["key_id"]["S"] for item in listed(aws)}) == 2


BOUNCER = "bounce@simulator.amazonses.com"  # the SES simulator's address that always bounces


def bounces_reported(aws) -> None:
    SesEventSimulator(boto3.client("events")).publish_new()
    drain(aws, SES_EVENTS)


def mail_to_bouncer() -> list:
    return [message for message in outbox() if str(message["To"]) == BOUNCER]


def test_a_bounced_address_stays_unmailed_when_its_contact_moves_to_another(aws, api_handler):
    bouncer = subscriber(api_handler, BOUNCER, "Bounce")
    campaign = campaign_for(api_handler, [bouncer["contact_id"]])
    staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")
    drain(aws)
    bounces_reported(aws)
    assert staff(api_handler, "GET", f"/subscribers/{bouncer['id']}/")[1]["status"] == "bounced"

    # Staff correct the contact's address: the one that bounced is held by no contact any more.
    patched = staff(api_handler, "PATCH", f"/contacts/{bouncer['contact_id']}/", {"email": "fixed@example.com"})
    assert patched[0] == 200, patched
    call(api_handler, "POST", "/signup/", {"email": BOUNCER})
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=customer("u-b", BOUNCER))[0] == 422
    assert len(mail_to_bouncer()) == 1  # the campaign's email only: no confirmation


def test_a_bounce_of_an_address_no_contact_holds_lists_it(aws, api_handler):
    body = {"name": "T", "subject": "Hi", "html_content": "<p>Hi</p>", "category": "newsletter"}
    status, template = staff(api_handler, "POST", "/templates/", body)
    assert status == 201, template
    sent = staff(api_handler, "POST", f"/templates/{template['id']}/test-send/", {"emails": [BOUNCER]})
    assert sent[0] == 200, sent
    bounces_reported(aws)
    call(api_handler, "POST", "/signup/", {"email": BOUNCER})
    assert len(mail_to_bouncer()) == 1  # the test send only: no confirmation
