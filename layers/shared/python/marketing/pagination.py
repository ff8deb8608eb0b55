"""Opaque list cursors: DynamoDB's LastEvaluatedKey, encoded so clients cannot read or forge keys
they could not have been given (the cursor is signed), and bounded page sizes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from marketing.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Cursors only need to resist tampering, not to be secret: a fixed key keeps them stateless.
_CURSOR_KEY = b"marketing-cursor-v1"


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac + raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac, raw = blob[:12], blob[12:]
        if not hmac.compare_digest(mac, hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:12]):
            raise ValueError("signature")
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError("shape")
        return value
    except ValueError as exc:
        raise ValidationFailed.field("next", "not a cursor this API returned") from exc


def page_size(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    return limit
