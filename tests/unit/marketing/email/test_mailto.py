"""The List-Unsubscribe mailto address: a compact signed token in the local part."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketing.email.links import EmailLinks
from marketing.email.mailto import LOCAL_PART_LIMIT, MailtoUnsubscribe
from marketing.ids import new_id
from marketing.tokens import CompactSigner, InvalidToken, KeyRing, SigningKeys, TokenSigner

KEY, NEW_KEY = b"k" * 32, b"n" * 32
MAILTO = MailtoUnsubscribe(CompactSigner(SigningKeys(lambda: KeyRing(KEY, None))))
BASE32_LOWER = re.compile(r"[a-z2-7]+")


def _flip(local: str, at: int) -> str:
    return local[:at] + ("b" if local[at] != "b" else "c") + local[at + 1 :]


@pytest.mark.parametrize(
    "mailing_id",
    # Ids as the platform makes them (new_id: a prefix and 24 hex digits), written out: the test
    # processes must collect the same parameters.
    [
        "cmp_5503516188be3df0285baf94",
        "aut_2a1d0a3e4bb7fbfc5667fc6b.0.0",
        "aut_d1bf77365a90c2fadac71240.12.300",
        "cmp_1",
        "aut_7.2.3",
        "",
    ],
)
def test_an_address_names_its_mailing_and_recipient_and_fits_a_local_part(mailing_id):
    contact_id = new_id("ct")
    local = MAILTO.local_part(mailing_id, contact_id)
    assert local is not None
    assert len(local) <= LOCAL_PART_LIMIT
    assert BASE32_LOWER.fullmatch(local)  # no case to lose, nothing an address must quote
    assert MAILTO.verify(f"{local}@unsubscribe.shop.example") == (mailing_id, contact_id)


def test_the_platforms_ids_make_short_addresses():
    assert len(MAILTO.local_part(new_id("cmp"), new_id("ct"))) == 53
    assert len(MAILTO.local_part(f"{new_id('aut')}.3.12", new_id("ct"))) <= 60


def test_mail_systems_may_change_the_case_and_add_angle_brackets():
    campaign, contact = new_id("cmp"), new_id("ct")
    address = MAILTO.address(campaign, contact, "Unsubscribe.Shop.Example")
    assert address == address.lower()
    assert MAILTO.verify(f"<{address.upper()}>") == (campaign, contact)


def test_a_tampered_truncated_or_foreign_address_is_refused():
    local = MAILTO.local_part(new_id("cmp"), new_id("ct"))
    for forged in (_flip(local, 0), _flip(local, 20), _flip(local, len(local) - 1), local[:-2], local + "aa"):
        with pytest.raises(InvalidToken):
            MAILTO.verify(f"{forged}@unsubscribe.shop.example")
    for other in ("unsubscribe@shop.example", "a+b@shop.example", "", "1@x", "x" * 80 + "@shop.example"):
        with pytest.raises(InvalidToken):
            MAILTO.verify(other)
    other_key = MailtoUnsubscribe(CompactSigner(SigningKeys(lambda: KeyRing(NEW_KEY, None))))
    with pytest.raises(InvalidToken):
        other_key.verify(local)


def test_the_token_is_not_another_purposes_signature():
    signer = CompactSigner(SigningKeys(lambda: KeyRing(KEY, None)))
    token = signer.sign("another-purpose", 0, b"\x00" * 24)
    with pytest.raises(InvalidToken):
        signer.verify("unsubscribe-mailto", token)


def test_an_address_signed_before_a_rotation_still_works_and_a_new_key_is_read_when_named():
    campaign, contact = new_id("cmp"), new_id("ct")
    before = MAILTO.local_part(campaign, contact)
    rotated = MailtoUnsubscribe(CompactSigner(SigningKeys(lambda: KeyRing(NEW_KEY, KEY))))
    assert rotated.verify(before) == (campaign, contact)

    rings = iter([KeyRing(KEY, None), KeyRing(NEW_KEY, KEY)])  # this container read the key before the rotation
    stale = MailtoUnsubscribe(CompactSigner(SigningKeys(lambda: next(rings), reread_gap=0)))
    after = rotated.local_part(campaign, contact)
    assert stale.verify(after) == (campaign, contact)


def test_an_address_that_would_not_fit_is_not_offered():
    assert MAILTO.local_part(f"{new_id('aut')}.01.2", new_id("ct")) is None  # not packed: "01" would read "1"
    links = EmailLinks(TokenSigner(SigningKeys(lambda: KeyRing(KEY, None))), "https://marketing.test/api")
    assert links.unsubscribe_mailto("cmp_" + "x" * 60, new_id("ct"), "u.shop.example") is None
    assert links.unsubscribe_mailto(new_id("cmp"), new_id("ct"), "u.shop.example").endswith(
        "@u.shop.example?subject=unsubscribe"
    )


@given(st.text(max_size=20), st.text(max_size=12))
def test_any_ids_round_trip_or_are_not_offered(mailing_id, contact_id):
    local = MAILTO.local_part(mailing_id, contact_id)
    if local is not None:
        assert MAILTO.verify(local) == (mailing_id, contact_id)
