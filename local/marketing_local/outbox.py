"""Local routes over what SES accepted: the moto server runs in this process, so its SES backend
(which SES v2 raw sends also land in) is read directly."""

from __future__ import annotations

import email
from email import policy
from email.utils import getaddresses, parseaddr

from werkzeug.wrappers import Request, Response

from marketing_local.config import ACCOUNT_ID, REGION
from marketing_local.responses import json_response


def _sent_messages() -> list:
    from moto.ses.models import ses_backends

    return list(ses_backends[ACCOUNT_ID][REGION].sent_messages)


# A formatted (not raw) send: moto keeps its fields, not a message to read.
UNREADABLE = {"from": None, "date": None, "headers": [], "html": None, "text": None}


def _summary(message) -> dict:
    raw = getattr(message, "raw_data", None)
    parsed = email.message_from_string(raw, policy=policy.default) if raw else None
    return {
        "id": message.id,
        "source": message.source,
        "destinations": _each_once(message.destinations)
        if isinstance(message.destinations, list)
        else message.destinations,
        "subject": str(parsed["Subject"]) if parsed and parsed["Subject"] else getattr(message, "subject", None),
        "raw": raw,
        **(_as_read(parsed) if parsed else UNREADABLE),
    }


def _as_read(parsed: email.message.EmailMessage) -> dict:
    """What a mail client shows of a message: its headers decoded, and its HTML and text parts."""
    html = parsed.get_body(preferencelist=("html",))
    text = parsed.get_body(preferencelist=("plain",))
    return {
        "from": str(parsed["From"] or ""),
        "date": str(parsed["Date"] or "") or None,
        "headers": [[name, str(value)] for name, value in parsed.items()],
        "html": html.get_content() if html else None,
        "text": text.get_content() if text else None,
    }


def _each_once(destinations: list[str]) -> list[str]:
    """A raw send's destinations, each address once, as the call gave it: moto adds the addresses of
    the message's To and Cc headers (with their names) to the call's, which are the same addresses."""
    first_form: dict[str, str] = {}
    for destination in destinations:
        first_form.setdefault(parseaddr(destination)[1].lower(), destination)
    return list(first_form.values())


def _addresses(destinations) -> set[str]:
    """Every address a message went to: raw sends list them, formatted sends group them by field."""
    if isinstance(destinations, dict):
        destinations = [address for field in destinations.values() for address in field]
    return {address.lower() for _, address in getaddresses([str(item) for item in destinations])}


def list_outbox(request: Request) -> Response:
    """GET /local/outbox?to=address: every email SES accepted, oldest first, with its raw MIME and
    as a mail client reads it (decoded headers, the HTML and the text part)."""
    recipient = (request.args.get("to") or "").lower()
    items = [_summary(message) for message in _sent_messages()]
    if recipient:
        items = [item for item in items if recipient in _addresses(item["destinations"])]
    return json_response({"items": items, "count": len(items)})
