"""Opaque list cursors: DynamoDB's LastEvaluatedKey, signed so clients cannot read or forge keys
they could not have been given, and bounded page sizes.

A cursor is a token (marketing.tokens) signed with the deployment's link-signing secret under the
purpose `cursor`: a key in the source code would let anyone who reads it forge one, and the
secret's rotation (decision 62) carries cursors with it, as it does links.
"""

from __future__ import annotations

from typing import Any

from marketing.errors import ValidationFailed
from marketing.tokens import InvalidToken, TokenSigner, deployment_signer

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CURSOR = "cursor"


def _signer() -> TokenSigner:
    return deployment_signer()


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return _signer().sign(CURSOR, last_key)


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        return _signer().verify(CURSOR, cursor)
    except InvalidToken as exc:
        raise ValidationFailed.field("next", "not a cursor this API returned") from exc


def page_size(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    return limit
