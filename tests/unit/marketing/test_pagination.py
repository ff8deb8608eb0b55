from __future__ import annotations

import pytest

from marketing import pagination
from marketing.errors import ValidationFailed
from marketing.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor, page_size
from marketing.tokens import KeyRing, SigningKeys, TokenSigner


@pytest.fixture(autouse=True)
def signer(monkeypatch):
    """Cursors sign with the deployment's secret; here a key of the test's own."""
    keys = SigningKeys(lambda: KeyRing(b"test-cursor-key"))
    monkeypatch.setattr(pagination, "_signer", lambda: TokenSigner(keys))


def test_cursor_round_trip_and_end_of_list():
    key = {"id": {"S": "tpl_1"}, "created_at": {"S": "2026-01-01T00:00:00Z"}}
    assert decode_cursor(encode_cursor(key, "templates"), "templates") == key
    assert encode_cursor(None, "templates") is None
    assert decode_cursor(None, "templates") is None


@pytest.mark.parametrize("cursor", ["x", "eyJpZCI6IngifQ", "%%%", "A" * 40])
def test_cursors_the_api_did_not_issue_are_refused(cursor):
    with pytest.raises(ValidationFailed) as error:
        decode_cursor(cursor, "templates")
    assert error.value.details[0]["field"] == "next"


def test_a_cursor_edited_by_the_client_is_refused():
    cursor = encode_cursor({"id": {"S": "tpl_1"}}, "templates")
    edited = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    with pytest.raises(ValidationFailed):
        decode_cursor(edited, "templates")


def test_page_size_bounds():
    assert page_size(None) == 25
    assert page_size(MAX_PAGE_SIZE) == MAX_PAGE_SIZE
    for bad in (0, MAX_PAGE_SIZE + 1, -5):
        with pytest.raises(ValidationFailed):
            page_size(bad)


def test_a_cursor_names_its_listing_and_pages_it_alone():
    """One purpose for every list let a cursor of one list start another: a start key of another
    index (a 500) or of another partition (contact A's consent log read under contact B's)."""
    key = {"contact_id": {"S": "ct_a"}, "entry": {"S": "2026-01-01T00:00:00+00:00#00"}}
    cursor = encode_cursor(key, "consent-log", contact="ct_a")
    assert decode_cursor(cursor, "consent-log", contact="ct_a") == key
    for listing, shape in [
        ("consent-log", {"contact": "ct_b"}),
        ("consent-log", {}),
        ("consent-log", {"contact": "ct_a", "status": "subscribed"}),
        ("contacts", {"contact": "ct_a"}),
        ("loyalty-transactions", {"user": "ct_a"}),
    ]:
        with pytest.raises(ValidationFailed) as error:
            decode_cursor(cursor, listing, **shape)
        (detail,) = error.value.details
        assert (detail["field"], "another listing" in detail["reason"]) == ("next", True)


def test_a_filter_not_given_is_the_same_as_none_and_values_compare_as_text():
    from marketing.audience.models.contacts import LifecycleStage

    key = {"id": {"S": "ct_1"}}
    assert decode_cursor(encode_cursor(key, "contacts", stage=None), "contacts") == key
    cursor = encode_cursor(key, "contacts", stage=LifecycleStage("lead"))
    assert decode_cursor(cursor, "contacts", stage="lead", tag=None) == key


def test_a_cursor_from_before_listings_were_named_is_refused():
    """Cursors signed before the deploy (purpose `cursor`, the bare key) are refused: the client
    starts its listing again."""
    old = pagination._signer().sign("cursor", {"id": {"S": "tpl_1"}})
    with pytest.raises(ValidationFailed) as error:
        decode_cursor(old, "templates")
    assert error.value.details[0] == {"field": "next", "reason": "not a cursor this API returned"}
