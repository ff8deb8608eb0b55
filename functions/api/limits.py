"""Request size: a body larger than any route of this API needs is refused before it is parsed
or validated (API Gateway's own limit is 10 MB, far more than any request here should carry)."""

from __future__ import annotations

import json
from typing import Any

from marketing.errors import PayloadTooLarge

# The largest JSON body a route needs (a template of 2 × 150,000 characters, escaped) with room.
MAX_BODY_BYTES = 1_000_000


def oversized(event: dict[str, Any]) -> dict[str, Any] | None:
    """The 413 response for an event whose body is too large, or None."""
    size = len(event.get("body") or "")
    if size <= MAX_BODY_BYTES:
        return None
    error = PayloadTooLarge(f"the request body is {size} bytes; at most {MAX_BODY_BYTES} are taken")
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(error.body()),
        "isBase64Encoded": False,
    }
