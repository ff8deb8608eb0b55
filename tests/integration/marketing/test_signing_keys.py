"""Rotating the link-signing secret in Secrets Manager (its AWSCURRENT and AWSPREVIOUS stages, on
moto): links already sent keep working, and gift-card codes, under a secret of their own, do not
change."""

from __future__ import annotations

from urllib.parse import unquote

import boto3
import pytest

from marketing.email.links import email_links
from marketing.growth.codes import code_key
from marketing.tokens import InvalidToken, SigningKeys, TokenSigner, secret_key_ring
from tests.support.campaigns import campaign_for, drain, outbox, staff, subscriber
from tests.support.events import call


def rotate(secret_name: str) -> None:
    """What a rotation leaves behind: a new AWSCURRENT version, the old one AWSPREVIOUS."""
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_name, SecretString="a-new-key-" + "x" * 38)


def new_container() -> None:
    """Forget the keys this process read, as a container started after the rotation has."""
    email_links.cache_clear()
    code_key.cache_clear()


@pytest.fixture(autouse=True)
def keys_of_this_test():
    new_container()
    yield
    new_container()


def test_a_token_signed_before_a_rotation_verifies_after_it_and_new_tokens_use_the_new_key(aws):
    name = aws["TOKEN_SECRET_NAME"]
    before = TokenSigner(SigningKeys(secret_key_ring(name))).sign("click", {"c": "cmp_1"})
    rotate(name)
    after_rotation = TokenSigner(SigningKeys(secret_key_ring(name)))
    assert after_rotation.verify("click", before) == {"c": "cmp_1"}
    new_token = after_rotation.sign("click", {"c": "cmp_2"})
    assert new_token.split(".")[0] != before.split(".")[0]

    rotate(name)  # a second rotation retires the key `before` was signed with
    with pytest.raises(InvalidToken, match="unknown key"):
        TokenSigner(SigningKeys(secret_key_ring(name))).verify("click", before)


def test_the_unsubscribe_link_of_an_email_sent_before_a_rotation_still_works(aws, api_handler):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    campaign = campaign_for(api_handler, [ada["contact_id"]])
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    (email,) = outbox()
    token = unquote(str(email["List-Unsubscribe"]).split("token=")[1].split(">")[0])

    rotate(aws["TOKEN_SECRET_NAME"])
    new_container()
    status, page = call(api_handler, "GET", "/unsubscribe/", query={"token": token})
    assert status == 200
    assert "ada@example.com" in page


def test_gift_card_codes_do_not_change_when_the_link_secret_rotates(aws, api_handler):
    status, card = staff(api_handler, "POST", "/gift-cards/", {"amount": "25.00"})
    assert status == 201, card

    rotate(aws["TOKEN_SECRET_NAME"])
    new_container()
    assert code_key().derived_code(card["id"]) == card["code"]
    status, found = staff(api_handler, "POST", "/gift-cards/lookup/", {"code": card["code"]})
    assert (status, found.get("id")) == (200, card["id"])
