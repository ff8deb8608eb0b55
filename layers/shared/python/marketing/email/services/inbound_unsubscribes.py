"""Unsubscribes by email: the List-Unsubscribe mailto (email/mailto.py) names the recipient by a
signed address; SES receives mail for that address's domain, stores it in the inbound-mail bucket
under `unsubscribe/` and the bucket notifies the inbound-unsubscribes queue (in local mode,
POST /local/inbound puts the raw email in the same bucket).

The worker reads the stored email, looks for a signed address among its recipients (To, Cc, and
the envelope recipient SES writes into its Received header, for a copy sent Bcc) and unsubscribes
each recipient named, as the one-click link does: idempotent, counted once for the mailing. Mail
with no signed address (a forged or mistyped one, spam, an autoreply) is logged and ignored. The
stored email is left to the bucket's expiry; nothing of its content is logged.
"""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from marketing.audience.models.consents import ConsentContext, ConsentMethod
from marketing.aws import clients
from marketing.catalog.topology import INBOUND_MAIL_BUCKET_ENV, INBOUND_UNSUBSCRIBE_PREFIX, resource
from marketing.clock import Deadline
from marketing.email.links import Tracked, email_links
from marketing.email.services import tracking
from marketing.errors import Unprocessable
from marketing.observability import logger, metrics
from marketing.tokens import InvalidToken

BY_MAILTO = ConsentContext(ConsentMethod.MAILTO, "subscriber")

RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
_RECEIVED_FOR = re.compile(r"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?", re.IGNORECASE)
MAX_BYTES = 1024 * 1024  # an unsubscribe request is a few kilobytes; more is not read


class InboundMail(NamedTuple):
    """A message of the queue: emails S3 says were stored (none: S3's test event)."""

    keys: tuple[str, ...] = ()


def parse(body: str) -> InboundMail:
    """An S3 notification of stored emails; Unprocessable otherwise."""
    try:
        message = json.loads(body)
        if message.get("Event") == "s3:TestEvent":
            return InboundMail()
        keys = tuple(unquote_plus(record["s3"]["object"]["key"]) for record in message["Records"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Unprocessable(f"expected an S3 notification: {error!r}") from error
    return InboundMail(keys)


def handle(mail: InboundMail, _deadline: Deadline) -> str:
    if not mail.keys:
        return "S3 test event (sent when the bucket notification was configured)"
    return "; ".join(_handle_stored(key) for key in mail.keys)


def _raw_email(key: str) -> bytes | None:
    """The stored email (its first MAX_BYTES), or None if it is gone (expired, or never there)."""
    from botocore.exceptions import ClientError

    try:
        stored = clients.client("s3").get_object(
            Bucket=resource(INBOUND_MAIL_BUCKET_ENV), Key=key, Range=f"bytes=0-{MAX_BYTES - 1}"
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return None
        raise
    return stored["Body"].read()


def _handle_stored(key: str) -> str:
    if not key.startswith(INBOUND_UNSUBSCRIBE_PREFIX):
        return f"{key}: not under {INBOUND_UNSUBSCRIBE_PREFIX}; ignored"
    raw = _raw_email(key)
    if raw is None:
        return f"{key}: no longer stored; ignored"
    named = named_recipients(message_from_bytes(raw, policy=policy.default))
    if not named:
        logger.info("an email to the unsubscribe domain names no recipient we signed; ignored", key=key)
        metrics.add_metric(name="InboundUnsubscribesIgnored", unit="Count", value=1)
        return f"{key}: no signed unsubscribe address; ignored"
    done = [unsubscribe(tracked) for tracked in named]
    return f"{key}: " + ", ".join(done)


def _addresses(message: EmailMessage | Any) -> list[str]:
    values = [str(value) for header in RECIPIENT_HEADERS for value in message.get_all(header, [])]
    found = [address for _name, address in getaddresses(values) if address]
    for received in message.get_all("Received", []):
        found += _RECEIVED_FOR.findall(str(received))
    return found


def named_recipients(message: EmailMessage | Any) -> list[Tracked]:
    """The recipients named by signed addresses among the email's recipients, each once."""
    mailto = email_links().mailto
    named: dict[Tracked, None] = {}
    for address in _addresses(message):
        try:
            named[Tracked(*mailto.verify(address))] = None
        except InvalidToken:
            continue
    return list(named)


def unsubscribe(tracked: Tracked) -> str:
    """Unsubscribes the address's recipient as the one-click link does (tracking.py)."""
    if not tracked.contact_id:
        return "a test send's address: nothing to unsubscribe"
    subscriber, first = tracking.unsubscribe_recipient(tracked, BY_MAILTO)
    if subscriber is None:
        return f"contact {tracked.contact_id} has no subscription"
    if first:
        metrics.add_metric(name="InboundUnsubscribes", unit="Count", value=1)
    return f"contact {tracked.contact_id} unsubscribed from {tracked.mailing.id}" + ("" if first else " (again)")
