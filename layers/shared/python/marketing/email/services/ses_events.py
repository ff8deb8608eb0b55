"""What SES tells us after a send (through the configuration set, EventBridge and a queue).

- Delivery: the recipient's `delivered_at`, counted once. A batch's deliveries of one mailing (in
  one hour) are written together: one transaction, one counter update for them all, where each
  alone cost a transaction of its own (twice a plain write for each item, the counters included).
- Bounce: a permanent (hard) bounce suppresses the address at once (subscriber `bounced`) and
  marks the recipient bounced, counted once; transient bounces are SES's to retry, only logged.
- Complaint: the address is suppressed (`complained`) and the complaint counted once.
- Reject: the recipient gets SES's reason; SES did not try to deliver it.
- Send: SES accepted the email; recorded on the recipient, which is what settles the claim of a
  delivery worker that died before recording its sends (store/recipients). A batch's Send events
  are first read together: an email whose result is recorded already (most: the worker records
  it seconds after the send) needs nothing settled, and is written nowhere.
- Open, Click: nothing to do. Opens and clicks are counted by the platform's own signed links
  (one source of truth; SES's counts would double them).

Events identify their email by the message tags set when it was sent (campaign_id, contact_id);
a test send or an email from another system carries none and only suppresses the address.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import partial

from marketing.activity.store.activity import hour_of
from marketing.audience.models.subscribers import SubscriberStatus
from marketing.audience.services import do_not_email, subscribers
from marketing.audience.store import contacts as contact_store
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.services import reputation
from marketing.campaigns.store import recipients
from marketing.catalog.topology import SES_EVENT_SOURCE
from marketing.clock import Deadline
from marketing.email.models.ses_events import SesEvent, SesEventRecord
from marketing.errors import Unprocessable
from marketing.observability import CORRELATION_ATTRIBUTE, logger, metrics


def _recipient(record: SesEventRecord) -> tuple[MailingRef, str] | None:
    """The mailing and contact the email's message tags name (a test send names no contact)."""
    mailing_id, contact_id = record.mail.tag("campaign_id"), record.mail.tag("contact_id")
    return (MailingRef.named(mailing_id), contact_id) if mailing_id and contact_id else None


def _suppress(addresses: list[str], status: SubscriberStatus, record: SesEventRecord) -> int:
    """Suppresses each address: its contact's subscriber, or, with no contact to hold it (a test
    send, a gift card's recipient, a contact erased since), the address on the do-not-email list,
    which every send path checks."""
    source = f"SES message {record.mail.message_id}"
    for address in addresses:
        contact = contact_store.find_by_email(address)
        if contact is not None:
            subscribers.suppress(contact, status, source)
        else:
            do_not_email.keep(address, status)
    return len(addresses)


def _send(record: SesEventRecord) -> str:
    recipient = _recipient(record)
    if recipient is None:
        return "send of an untracked email"
    confirmed = recipients.confirm_accepted(*recipient, record.mail.message_id, record.mail.timestamp)
    return "send confirmed" if confirmed else "send already confirmed"


def _delivered_at(record: SesEventRecord) -> datetime:
    return record.delivery.timestamp if record.delivery else record.mail.timestamp


def _delivery(record: SesEventRecord) -> str:
    recipient = _recipient(record)
    if recipient is None:
        return "delivery of an untracked email"
    mailing, contact_id = recipient
    counted = recipients.record_deliveries(mailing, [(contact_id, _delivered_at(record))], _delivered_at(record))
    return "delivery recorded" if counted else "delivery already recorded"


def _guarded(recipient: tuple[str, str] | None) -> str:
    paused = reputation.check(recipient[0]) if recipient is not None else None
    return f"; campaign paused: {paused}" if paused else ""


def _bounce(record: SesEventRecord) -> str:
    bounce = record.bounce
    if bounce is None:
        raise Unprocessable("Bounce event without a bounce object")
    if bounce.bounce_type != "Permanent":
        logger.info("soft bounce", bounce_type=bounce.bounce_type, sub_type=bounce.bounce_sub_type)
        return f"{bounce.bounce_type.lower()} bounce: SES retries, nothing suppressed"
    suppressed = _suppress(
        [address.email_address for address in bounce.bounced_recipients], SubscriberStatus.BOUNCED, record
    )
    metrics.add_metric(name="EmailsBounced", unit="Count", value=1)
    recipient = _recipient(record)
    if recipient is not None:
        recipients.record_bounce(*recipient, bounce.timestamp)
    return f"hard bounce: {suppressed} address(es) suppressed" + _guarded(recipient)


def _complaint(record: SesEventRecord) -> str:
    complaint = record.complaint
    if complaint is None:
        raise Unprocessable("Complaint event without a complaint object")
    addresses = [address.email_address for address in complaint.complained_recipients]
    suppressed = _suppress(addresses, SubscriberStatus.COMPLAINED, record)
    metrics.add_metric(name="EmailsComplained", unit="Count", value=1)
    recipient = _recipient(record)
    if recipient is not None:
        recipients.record_complaint(*recipient, complaint.timestamp)
    return f"complaint: {suppressed} address(es) suppressed" + _guarded(recipient)


def _reject(record: SesEventRecord) -> str:
    recipient = _recipient(record)
    reason = record.reject.reason if record.reject else "rejected"
    if recipient is not None:
        recipients.record_rejection(*recipient, f"SES rejected the email: {reason}")
    return f"reject: {reason}"


_HANDLERS = {"Send": _send, "Delivery": _delivery, "Bounce": _bounce, "Complaint": _complaint, "Reject": _reject}


def _correlate(event: SesEvent) -> None:
    correlation_id = event.detail.mail.tag(CORRELATION_ATTRIBUTE)
    if correlation_id:  # the id the send was logged under: the email's story reads as one
        logger.set_correlation_id(correlation_id)


def handle(event: SesEvent, _deadline: Deadline) -> str:
    if event.source != SES_EVENT_SOURCE:
        raise Unprocessable(f"not an SES event: source {event.source!r}")
    _correlate(event)
    handler = _HANDLERS.get(event.detail.event_type)
    if handler is None:
        return f"{event.detail.event_type}: nothing to do"
    return handler(event.detail)


def handle_together(events: list[SesEvent], _deadline: Deadline) -> list[Callable[[], str] | None]:
    """A batch's Send events read together, and its deliveries of one mailing in one hour recorded
    together; each event then finishes in its turn (logged under its email's id). A delivery the
    batch holds twice (SES or SQS sent it again) is written once; if a group's write fails, its
    events are left to `handle`, one by one, as are the other events and the Send events of
    emails whose result is not recorded yet."""
    finishes: list[Callable[[], str] | None] = [None] * len(events)
    deliveries: dict[tuple[str, str], dict[str, list[tuple[int, datetime]]]] = defaultdict(dict)
    sends: dict[int, tuple[MailingRef, str]] = {}
    for index, event in enumerate(events):
        recipient = _recipient(event.detail)
        if event.source != SES_EVENT_SOURCE or recipient is None:
            continue
        if event.detail.event_type == "Send":
            sends[index] = recipient
        elif event.detail.event_type == "Delivery":
            delivered_at = _delivered_at(event.detail)
            group = deliveries[(recipient[0].id, hour_of(delivered_at))]
            group.setdefault(recipient[1], []).append((index, delivered_at))
    try:
        settled = recipients.settled(sends.values())
    except Exception:
        logger.exception("send events could not be read together")
        settled = set()
    for index, (mailing, contact_id) in sends.items():
        if (mailing.id, contact_id) in settled:
            finishes[index] = partial(_finish, events[index], "send already settled by its result")
    for (mailing_id, _), group in deliveries.items():
        firsts = [(contact_id, copies[0][1]) for contact_id, copies in group.items()]
        try:
            counted = recipients.record_deliveries(MailingRef.named(mailing_id), firsts, firsts[0][1])
        except Exception:
            logger.exception("deliveries could not be recorded together", mailing_id=mailing_id)
            continue
        for contact_id, copies in group.items():
            for number, (index, _) in enumerate(copies):
                new = number == 0 and contact_id in counted
                finishes[index] = partial(
                    _finish, events[index], "delivery recorded" if new else "delivery already recorded"
                )
    return finishes


def _finish(event: SesEvent, outcome: str) -> str:
    _correlate(event)
    return outcome
