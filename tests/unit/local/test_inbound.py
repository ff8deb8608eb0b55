"""POST /local/inbound stores a raw email where SES's receipt rule would, under unsubscribe/."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from marketing_local.inbound import InboundMail

RAW = b"From: ada@example.com\r\nTo: abc@unsubscribe.shop.example\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n"


class StubS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, Bucket: str, Key: str, Body: bytes) -> dict:  # boto3's parameter names
        self.objects[(Bucket, Key)] = Body
        return {}


def post(data: bytes, content_type: str, method: str = "POST"):
    s3 = StubS3()
    request = Request(
        EnvironBuilder(method=method, path="/local/inbound", data=data, content_type=content_type).get_environ()
    )
    return InboundMail(s3, "inbound-mail").route(request), s3


@pytest.mark.parametrize("content_type", ["message/rfc822", "text/plain; charset=utf-8"])
def test_a_raw_email_is_stored_under_the_prefix_the_queue_is_notified_of(content_type):
    response, s3 = post(RAW, content_type)
    assert response.status_code == 202
    ((bucket, key), body), *_ = s3.objects.items()
    assert (bucket, body) == ("inbound-mail", RAW)
    assert key.startswith("unsubscribe/")
    assert response.get_json() == {"stored": key}


def test_anything_else_is_refused_and_stored_nowhere():
    for data, content_type, method, status in [
        (RAW, "application/json", "POST", 415),
        (b"  ", "message/rfc822", "POST", 400),
        (b"x" * (1024 * 1024 + 1), "message/rfc822", "POST", 413),
        (RAW, "message/rfc822", "PUT", 405),
    ]:
        response, s3 = post(data, content_type, method)
        assert response.status_code == status
        assert not s3.objects
