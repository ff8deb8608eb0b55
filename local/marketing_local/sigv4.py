"""Verifies AWS Signature Version 4 on incoming requests, as API Gateway's AWS_IAM authorization
does: the canonical request rebuilt from what arrived, the signing key derived from the secret of
the access key named in the credential scope, and the time within five minutes of now.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = timedelta(minutes=5)
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


class SignatureError(Exception):
    """Why the request is refused (API Gateway answers 403 with a message like this)."""


@dataclass(frozen=True)
class VerifiedCaller:
    access_key: str
    region: str
    service: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _canonical_query(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    encoded = sorted((quote(key, safe="-_.~"), quote(value, safe="-_.~")) for key, value in pairs)
    return "&".join(f"{key}={value}" for key, value in encoded)


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def verify(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Mapping[str, str],
    region: str,
    service: str = "execute-api",
    now: datetime | None = None,
) -> VerifiedCaller:
    """Checks the request's signature; `headers` keys must be lower-case. Raises SignatureError."""
    authorization = headers.get("authorization", "")
    if not authorization:
        raise SignatureError("Missing Authentication Token")
    found = _AUTH_RE.match(authorization.strip())
    if not found:
        raise SignatureError("Authorization header is not an AWS Signature Version 4 header")
    try:
        access_key, date, scope_region, scope_service, terminator = found["credential"].split("/")
    except ValueError as exc:
        raise SignatureError("Credential should be scoped to a valid region and service") from exc
    if terminator != "aws4_request" or scope_service != service or scope_region != region:
        raise SignatureError(f"Credential should be scoped to region '{region}' and service '{service}'")
    secret = secrets.get(access_key)
    if secret is None:
        raise SignatureError("The security token included in the request is invalid")

    signed_headers = found["signed"].split(";")
    if "host" not in signed_headers:
        raise SignatureError("The host header must be signed")
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise SignatureError("Missing or malformed X-Amz-Date") from exc
    if "x-amz-date" not in signed_headers or not amz_date.startswith(date):
        raise SignatureError("X-Amz-Date must be signed and match the credential date")
    if abs((now or datetime.now(UTC)) - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureError("Signature expired: the request time is more than 5 minutes from now")

    body_hash = _sha256(body)
    claimed_hash = headers.get("x-amz-content-sha256")
    if claimed_hash and claimed_hash != "UNSIGNED-PAYLOAD" and claimed_hash != body_hash:
        raise SignatureError("The provided x-amz-content-sha256 header does not match what was computed")
    missing = [name for name in signed_headers if name not in headers]
    if missing:
        raise SignatureError(f"Signed headers are missing from the request: {', '.join(missing)}")

    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed_headers)
    canonical_request = "\n".join(
        [
            method.upper(),
            quote(raw_path, safe="/~"),
            _canonical_query(raw_query),
            canonical_headers,
            ";".join(signed_headers),
            claimed_hash or body_hash,
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, _sha256(canonical_request.encode())])
    expected = hmac.new(signing_key(secret, date, region, service), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, found["signature"]):
        raise SignatureError(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
    return VerifiedCaller(access_key, region, service)
