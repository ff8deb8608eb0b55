"""An email's signed links: one key derived per recipient, one short MAC per link, each token bound
to its purpose, its recipient and (a click's) its link; tokens of the JSON form, which emails sent
before carry, still verify."""

from __future__ import annotations

import re

import pytest

from marketing.email.links import CLICK, OPEN, PREFERENCES, UNSUBSCRIBE, EmailLinks, Tracked, link_id
from marketing.tokens import InvalidToken, KeyRing, SigningKeys, TokenSigner

KEY, NEXT_KEY = b"k" * 32, b"n" * 32
BASE = "https://marketing.test/api"
SALE, FAQ = link_id("https://shop.example/sale"), link_id("https://shop.example/faq")


def links_with(current: bytes, previous: bytes | None = None) -> EmailLinks:
    return EmailLinks(TokenSigner(SigningKeys(lambda: KeyRing(current, previous))), BASE)


LINKS = links_with(KEY)
PURPOSES = (OPEN, CLICK, UNSUBSCRIBE, PREFERENCES)


def _tokens(links: EmailLinks, mailing: str = "cmp_1", contact: str = "ct_1") -> dict[str, str]:
    recipient = links.recipient(mailing, contact)
    return {
        OPEN: recipient.open_url().split("/track/open/")[1].rstrip("/"),
        CLICK: recipient.click_urls([SALE])[0].split("/track/click/")[1].rstrip("/"),
        UNSUBSCRIBE: recipient.unsubscribe_url().split("token=")[1],
        PREFERENCES: recipient.preferences_url().split("token=")[1],
    }


def test_each_link_of_an_email_verifies_for_its_purpose_and_names_its_recipient():
    tokens = _tokens(LINKS, "aut_7.2.3", "ct_9")
    for purpose, token in tokens.items():
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)  # URL-safe: no quoting in a path or a query
        expected = Tracked("aut_7.2.3", "ct_9", SALE if purpose == CLICK else None)
        assert LINKS.verify(purpose, token) == expected


def test_the_url_shapes_stay_as_they_were():
    recipient = LINKS.recipient("cmp_1", "ct_1")
    assert re.fullmatch(rf"{BASE}/track/open/[^/?]+/", recipient.open_url())
    assert re.fullmatch(rf"{BASE}/track/click/[^/?]+/", recipient.click_urls([SALE])[0])
    assert re.fullmatch(rf"{BASE}/unsubscribe/\?token=[^&]+", recipient.unsubscribe_url())
    assert re.fullmatch(rf"{BASE}/preferences/\?token=[^&]+", recipient.preferences_url())
    assert LINKS.click_url("cmp_1", "ct_1", SALE) == recipient.click_urls([SALE])[0]


def test_no_token_of_an_email_verifies_for_another_purpose():
    for signed_for, token in _tokens(LINKS).items():
        for purpose in PURPOSES:
            if purpose != signed_for:
                with pytest.raises(InvalidToken):
                    LINKS.verify(purpose, token)


def test_a_click_token_names_exactly_its_link():
    sale, faq = LINKS.recipient("cmp_1", "ct_1").click_urls([SALE, FAQ])
    sale_token = sale.split("/track/click/")[1].rstrip("/")
    assert LINKS.verify(CLICK, sale_token).link_id == SALE
    assert LINKS.verify(CLICK, faq.split("/track/click/")[1].rstrip("/")).link_id == FAQ
    with pytest.raises(InvalidToken):  # `<mark key id>.<subject>.<MAC><link id>`: the MAC of another link
        LINKS.verify(CLICK, sale_token.replace(SALE, FAQ))
    with pytest.raises(InvalidToken):  # and none without a link
        LINKS.verify(CLICK, sale_token.removesuffix(SALE))


def test_a_token_for_one_recipient_cannot_be_moved_to_another():
    mine = _tokens(LINKS, "cmp_1", "ct_1")[UNSUBSCRIBE].split(".")
    theirs = _tokens(LINKS, "cmp_1", "ct_2")[UNSUBSCRIBE].split(".")
    with pytest.raises(InvalidToken):  # my MAC with their recipient
        LINKS.verify(UNSUBSCRIBE, ".".join([mine[0], theirs[1], mine[2]]))


def test_links_sent_before_a_rotation_still_work_after_it():
    before = _tokens(links_with(KEY))
    rotated = links_with(NEXT_KEY, previous=KEY)
    for purpose, token in before.items():
        assert rotated.verify(purpose, token).contact_id == "ct_1"
    with pytest.raises(InvalidToken):
        links_with(b"x" * 32, previous=NEXT_KEY).verify(OPEN, before[OPEN])


def test_tokens_of_the_json_form_sent_before_still_verify():
    signer = TokenSigner(SigningKeys(lambda: KeyRing(KEY, None)))
    sent = {
        OPEN: signer.sign(OPEN, {"c": "cmp_1", "k": "ct_1"}),
        CLICK: signer.sign(CLICK, {"c": "cmp_1", "k": "ct_1", "l": SALE}),
        UNSUBSCRIBE: signer.sign(UNSUBSCRIBE, {"c": "cmp_1", "k": "ct_1"}),
        PREFERENCES: signer.sign(PREFERENCES, {"c": "cmp_1", "k": "ct_1"}),
    }
    for purpose, token in sent.items():
        assert LINKS.verify(purpose, token) == Tracked("cmp_1", "ct_1", SALE if purpose == CLICK else None)
    by_url = signer.sign(CLICK, {"c": "cmp_1", "k": "ct_1", "u": "https://shop.example/sale"})  # before link ids
    assert LINKS.verify(CLICK, by_url).link_id == SALE
    without_key_id = ".".join(sent[OPEN].split(".")[1:])  # before key ids
    assert LINKS.verify(OPEN, without_key_id).campaign_id == "cmp_1"


def test_ids_that_cannot_be_a_subject_are_signed_in_the_json_form():
    tokens = _tokens(LINKS, "cmp\x001", "ct_1")
    for purpose, token in tokens.items():
        assert not TokenSigner.is_subject_token(token)
        assert LINKS.verify(purpose, token).campaign_id == "cmp\x001"


def test_a_test_sends_links_work_without_a_contact():
    for purpose, token in _tokens(LINKS, "cmp_1", "").items():
        assert LINKS.verify(purpose, token).contact_id == ""
