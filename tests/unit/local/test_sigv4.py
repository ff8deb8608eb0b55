"""The local gateway's SigV4 check, against requests signed by botocore as AWS SDKs sign them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from marketing_local.sigv4 import SignatureError, verify

SECRETS = {"local-staff": "local-staff-secret"}
URL = "http://127.0.0.1:8080/api/v1/marketing/templates/?limit=5&next=a%2Fb"


def signed(
    method="POST",
    url=URL,
    body=b'{"a": 1}',
    secret="local-staff-secret",
    region="eu-west-2",
    service="execute-api",
    key="local-staff",
):
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = urlsplit(url).netloc
    return headers


def check(headers, method="POST", url=URL, body=b'{"a": 1}', now=None):
    parts = urlsplit(url)
    return verify(
        method=method,
        raw_path=parts.path,
        raw_query=parts.query,
        headers=headers,
        body=body,
        secrets=SECRETS,
        region="eu-west-2",
        now=now,
    )


def test_a_botocore_signed_request_verifies():
    assert check(signed()).access_key == "local-staff"


def test_get_without_body_verifies():
    assert check(signed("GET", body=b""), "GET", body=b"").access_key == "local-staff"


@pytest.mark.parametrize(
    ("headers", "changes"),
    [
        (lambda: signed(secret="wrong"), {}),
        (lambda: signed(key="someone-else"), {}),
        (lambda: signed(region="us-east-1"), {}),
        (lambda: signed(service="s3"), {}),
        (signed, {"body": b'{"a": 2}'}),
        (signed, {"method": "PUT"}),
        (signed, {"url": URL.replace("limit=5", "limit=6")}),
        (signed, {"url": URL.replace("/templates/", "/templates/x/")}),
    ],
)
def test_anything_changed_or_wrongly_signed_is_refused(headers, changes):
    with pytest.raises(SignatureError):
        check(headers(), **changes)


def test_unsigned_and_non_sigv4_requests_are_refused():
    with pytest.raises(SignatureError, match="Missing Authentication Token"):
        check({"host": "127.0.0.1:8080"})
    with pytest.raises(SignatureError):
        check({"host": "127.0.0.1:8080", "authorization": "Bearer eyJhbGciOi"})


def test_a_signature_older_than_five_minutes_is_expired():
    headers = signed()
    with pytest.raises(SignatureError, match="expired"):
        check(headers, now=datetime.now(UTC) + timedelta(minutes=6))
    assert check(headers, now=datetime.now(UTC) + timedelta(minutes=4))


def test_a_tampered_signed_header_is_refused():
    headers = signed()
    headers["x-amz-date"] = (datetime.now(UTC) - timedelta(seconds=30)).strftime("%Y%m%dT%H%M%SZ")
    with pytest.raises(SignatureError):
        check(headers)
