"""First opens, recorded in batches: the pixel hands a recipient's first open to the opens queue
and answers at once; the worker records a batch's first opens of one mailing in one hour together
(one transaction, one update of the mailing's counter and of its activity), where each alone cost
a transaction of its own with those counters in it (store/recipients.py).

Repeat opens are still written by the pixel itself (they move no shared counter). A hit that
comes before its first open is recorded is queued too: the batch counts it with the first (each
hit up to the exact count), and one in a later batch finds the open recorded and counts as a
repeat, as it would have at the pixel. A batch delivered again finds its opens recorded: its hits
then count as repeats, never as a second first open.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import partial

from marketing.activity.store.activity import hour_of
from marketing.aws import messaging
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.store import recipients
from marketing.campaigns.store.recipients import Engagement
from marketing.catalog.topology import OPENS
from marketing.clock import Deadline
from marketing.email.models.opens import FirstOpen
from marketing.observability import logger, metrics


def _count_first_opens(count: int) -> None:
    metrics.add_metric(name="EmailsOpened", unit="Count", value=count)  # unique opens, as analytics counts them


def queue(mailing: MailingRef, contact_id: str, opened_at: datetime) -> None:
    """Hands the recipient's first open (from the pixel or a click) to the opens worker."""
    first_open = FirstOpen(mailing_id=mailing.id, contact_id=contact_id, opened_at=opened_at)
    messaging.send(OPENS, first_open.model_dump(mode="json"))


def handle(first_open: FirstOpen, _deadline: Deadline) -> str:
    """One open on its own: a repeat is written as the pixel writes one (a single read decides),
    a first open as a batch of one."""
    mailing, contact_id, at = MailingRef.named(first_open.mailing_id), first_open.contact_id, first_open.opened_at
    engagement = recipients.record_open(mailing, contact_id, at, first_later=True)
    if engagement is Engagement.FIRST_LATER:
        if recipients.record_first_opens(mailing, [(contact_id, at, 1)], at):
            _count_first_opens(1)
            return "first open recorded"
        engagement = recipients.record_open(mailing, contact_id, at)  # recorded meanwhile: a repeat
    if engagement is Engagement.UNKNOWN:
        return "no such recipient (a test send, an erased contact): nothing recorded"
    return f"open already recorded; this one: {engagement.value}"


def handle_together(opens: list[FirstOpen], _deadline: Deadline) -> list[Callable[[], str] | None]:
    """A batch's first opens of one mailing in one hour, recorded together; each copy of a recorded
    open finishes as counted. The opens not recorded (one already there, an unknown recipient, a
    group whose write failed) are left to `handle`, one by one."""
    finishes: list[Callable[[], str] | None] = [None] * len(opens)
    groups: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    for index, first_open in enumerate(opens):
        group = groups[(first_open.mailing_id, hour_of(first_open.opened_at))]
        group.setdefault(first_open.contact_id, []).append(index)
    for (mailing_id, _), group in groups.items():
        firsts = [(contact_id, opens[copies[0]].opened_at, len(copies)) for contact_id, copies in group.items()]
        try:
            recorded = recipients.record_first_opens(MailingRef.named(mailing_id), firsts, firsts[0][1])
        except Exception:
            logger.exception("first opens could not be recorded together", mailing_id=mailing_id)
            continue
        if recorded:
            _count_first_opens(len(recorded))
        for contact_id in recorded:
            first, *more = group[contact_id]
            finishes[first] = partial(_finished, "first open recorded")
            for index in more:
                finishes[index] = partial(_finished, "open counted with its first")
    return finishes


def _finished(outcome: str) -> str:
    return outcome
