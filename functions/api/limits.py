"""What a request must be before any route looks at it: a body no larger than any route needs, in
UTF-8, and JSON for every route but the forms behind an email's links. Refused here with the SPEC's error
body, before parsing or validation (API Gateway's own limit is 10 MB, far more than needed)."""

from __future__ import annotations

import base64
import json
from typing import Any

from marketing.catalog.api_routes import route_for_key
from marketing.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# The largest JSON body a route needs (a template of 2 × 150,000 characters, escaped) with room.
MAX_BODY_BYTES = 1_000_000


def _problem(event: dict[str, Any]) -> DomainError | None:
    body = event.get("body") or ""
    if len(body) > MAX_BODY_BYTES:
        return PayloadTooLarge(f"the request body is {len(body)} bytes; at most {MAX_BODY_BYTES} are taken")
    route = route_for_key(event.get("routeKey", ""))
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if not body or route is None:
        return None
    if route.takes_form:  # a form is URL-encoded ASCII: raw bytes in one are a made-up request
        return ValidationFailed.field("body", "not UTF-8 text") if _binary(event, body) else None
    if media_type != "application/json":
        return UnsupportedMediaType(f"send JSON with Content-Type: application/json (got {media_type})")
    if _binary(event, body):
        return ValidationFailed.field("body", "not UTF-8 text, so not JSON")
    return None


def _binary(event: dict[str, Any], body: str) -> bool:
    return bool(event.get("isBase64Encoded")) and not _is_utf8(body)


def _is_utf8(encoded: str) -> bool:
    try:
        base64.b64decode(encoded).decode()
    except ValueError:  # bad base64 or bad UTF-8 (UnicodeDecodeError is a ValueError)
        return False
    return True


def refused(event: dict[str, Any]) -> dict[str, Any] | None:
    """The 413 or 415 response for a request that cannot be taken, or None."""
    error = _problem(event)
    if error is None:
        return None
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(error.body()),
        "isBase64Encoded": False,
    }
