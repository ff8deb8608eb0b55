"""Opaque list cursors: DynamoDB's LastEvaluatedKey, signed so clients cannot read or forge keys
they could not have been given, and bounded page sizes.

A cursor is a token (marketing.tokens) signed with the deployment's link-signing secret under the
purpose `list-cursor`: a key in the source code would let anyone who reads it forge one, and the
secret's rotation (decision 62) carries cursors with it, as it does links.

A cursor names the listing it pages: the list, and what shapes its keys (the partition it reads, as
a contact's consent log, or the filter that picks its index, as the contacts of one stage). Another
listing refuses it: a start key of another index or table is an error from DynamoDB, and one of
another partition would read on in that partition (contact A's log under contact B). The filters
of the listing are named with the partition: changing one starts the listing again. Cursors signed
before listings were named (purpose `cursor`, the bare key) are refused as not this API's: a client
starts its listing again.
"""

from __future__ import annotations

from typing import Any

from marketing.errors import ValidationFailed
from marketing.tokens import InvalidToken, TokenSigner, deployment_signer

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CURSOR = "list-cursor"


def _signer() -> TokenSigner:
    return deployment_signer()


def _listing(name: str, shape: dict[str, object]) -> dict[str, Any]:
    """The claims naming a listing: its name and the values that shape its keys (None: not given)."""
    return {"list": name, "by": {field: str(value) for field, value in shape.items() if value is not None}}


def encode_cursor(last_key: dict[str, Any] | None, listing: str, **shape: object) -> str | None:
    """The cursor of `listing` (shaped by `shape`: its partition, its filters) that goes on after
    `last_key`; None at the end of the list."""
    if not last_key:
        return None
    return _signer().sign(CURSOR, {**_listing(listing, shape), "key": last_key})


def decode_cursor(cursor: str | None, listing: str, **shape: object) -> dict[str, Any] | None:
    """The start key in `cursor`, which `encode_cursor` gave for the same listing and shape; a 400
    naming `next` for anything else."""
    if not cursor:
        return None
    try:
        claims = _signer().verify(CURSOR, cursor)
    except InvalidToken as exc:
        raise ValidationFailed.field("next", "not a cursor this API returned") from exc
    key = claims.pop("key", None)
    if claims != _listing(listing, shape):
        raise ValidationFailed.field("next", "the cursor belongs to another listing; list again without it")
    if not isinstance(key, dict):  # only a key of ours is signed: a cursor of ours always has one
        raise ValidationFailed.field("next", "not a cursor this API returned")
    return key


def page_size(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    return limit
