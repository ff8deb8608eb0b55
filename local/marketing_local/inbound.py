"""POST /local/inbound: an email to the List-Unsubscribe mailto, as SES would receive it.

Body: the raw email (`message/rfc822`, or `text/plain` for one pasted by hand). It is stored in the
inbound-mail bucket under `unsubscribe/`, where SES's receipt rule stores what it receives in AWS;
the bucket notifies the inbound-unsubscribes queue and its worker runs as it would there. Answers
202 with the stored key: what the worker made of the email is in its log.

`text/plain` is one of the types any web page may POST cross-origin without asking: a page the
developer visits could post an email here, but it can only unsubscribe someone whose signed
address it already holds, which is what an email to the real address does.
"""

from __future__ import annotations

import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from marketing.catalog.topology import INBOUND_UNSUBSCRIBE_PREFIX
from marketing.email.services.inbound_unsubscribes import MAX_BYTES
from marketing_local.responses import json_response

EMAIL_TYPES = ("message/rfc822", "text/plain")


class InboundMail:
    def __init__(self, s3_client: Any, bucket: str):
        self._s3 = s3_client
        self._bucket = bucket

    def route(self, request: Request) -> Response:
        if request.method != "POST":
            return json_response({"error": "POST a raw email (Content-Type: message/rfc822)"}, 405)
        if request.mimetype not in EMAIL_TYPES:
            return json_response({"error": "send the raw email as Content-Type: message/rfc822 or text/plain"}, 415)
        if (request.content_length or 0) > MAX_BYTES:
            return json_response({"error": f"an email of at most {MAX_BYTES} bytes"}, 413)
        raw = request.get_data()
        if not raw.strip():
            return json_response({"error": "the body is empty: send the raw email"}, 400)
        key = f"{INBOUND_UNSUBSCRIBE_PREFIX}{uuid.uuid4().hex}"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=raw)
        return json_response({"stored": key}, 202)
