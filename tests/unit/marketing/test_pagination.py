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
    assert decode_cursor(encode_cursor(key)) == key
    assert encode_cursor(None) is None
    assert decode_cursor(None) is None


@pytest.mark.parametrize("cursor", ["x", "eyJpZCI6IngifQ", "%%%", "A" * 40])
def test_cursors_the_api_did_not_issue_are_refused(cursor):
    with pytest.raises(ValidationFailed) as error:
        decode_cursor(cursor)
    assert error.value.details[0]["field"] == "next"


def test_a_cursor_edited_by_the_client_is_refused():
    cursor = encode_cursor({"id": {"S": "tpl_1"}})
    edited = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    with pytest.raises(ValidationFailed):
        decode_cursor(edited)


def test_page_size_bounds():
    assert page_size(None) == 25
    assert page_size(MAX_PAGE_SIZE) == MAX_PAGE_SIZE
    for bad in (0, MAX_PAGE_SIZE + 1, -5):
        with pytest.raises(ValidationFailed):
            page_size(bad)
