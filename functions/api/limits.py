"""What a request must be before any route looks at it: a body no larger than any route needs, in
UTF-8, and JSON for every route but the forms behind an email's links, nested no deeper than any
route needs. Refused here with the SPEC's error body, before parsing or validation (API Gateway's
own limit is 10 MB, far more than needed)."""

from __future__ import annotations

import base64
import json
import re
from itertools import accumulate
from typing import Any

from marketing.catalog.api_routes import route_for_key
from marketing.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# The largest JSON body a route needs (a template of 2 × 150,000 characters, escaped) with room.
MAX_BODY_BYTES = 1_000_000

# The deepest a JSON body may nest (arrays and objects). The deepest a route takes is a segment's
# criteria: MAX_DEPTH (5) levels, each group an object holding an array, in the body, down to a
# leaf's `tags` match: 12 levels (tests/integration/api/test_nesting_limit.py). 64 is far above
# that and far below the depth (about 1,000) at which Python's JSON parser raises RecursionError,
# which was a 500 on every JSON route, the public signup among them. Refused here, counted without
# parsing, rather than by mapping RecursionError to a 400 in api/errors.py: the body is never
# parsed, and a RecursionError from anything else stays the bug (500) it is.
MAX_NESTING = 64
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # brackets in a string do not nest
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _problem(event: dict[str, Any]) -> DomainError | None:
    body = event.get("body") or ""
    if len(body) > MAX_BODY_BYTES:
        return PayloadTooLarge(f"the request body is {len(body)} bytes; at most {MAX_BODY_BYTES} are taken")
    route = route_for_key(event.get("routeKey", ""))
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if not body or route is None:
        return None
    text = _text(event, body)
    if route.takes_form:  # a form is URL-encoded ASCII: raw bytes in one are a made-up request
        return ValidationFailed.field("body", "not UTF-8 text") if text is None else None
    if media_type != "application/json":
        return UnsupportedMediaType(f"send JSON with Content-Type: application/json (got {media_type})")
    if text is None:
        return ValidationFailed.field("body", "not UTF-8 text, so not JSON")
    if _nests_too_deep(text):
        return ValidationFailed.field("body", f"JSON nested more than {MAX_NESTING} levels deep")
    return None


def _nests_too_deep(text: str) -> bool:
    """Whether the arrays and objects of JSON `text` nest deeper than MAX_NESTING, counted in one
    pass over its brackets outside strings: no recursion, whatever the depth. Not JSON's parser: a
    malformed body may count oddly here, and is refused by the parser if not here."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= MAX_NESTING:  # the usual body: too few to nest deeper
        return False
    return max(accumulate(map(_STEP.__getitem__, brackets))) > MAX_NESTING


def _text(event: dict[str, Any], body: str) -> str | None:
    """The body as text (API Gateway base64-encodes a body it does not take for text); None if it
    is not UTF-8."""
    if not event.get("isBase64Encoded"):
        return body
    try:
        return base64.b64decode(body).decode()
    except ValueError:  # bad base64 or bad UTF-8 (UnicodeDecodeError is a ValueError)
        return None


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
