"""Campaign recipients: one item per (mailing, contact), the record that makes a send happen once.

A mailing is a campaign or one email of an automation run (models/mailings.py): every function
here takes its `MailingRef`; `campaign_id` holds the mailing's id, and the counters go where the mailing keeps them.

A delivery batch moves its recipients through these states, each step one DynamoDB transaction
for the whole batch (up to 50 recipients and the campaign's counters: one request, not fifty):

    (none) or pending ──claim──▶ sending ──result──▶ sent | failed | pending (a retry is due)
    (none) ──claim──▶ suppressed            failed ──claim (retry-failed only)──▶ sending

A claim's condition is what stops a second email: a redelivered batch, a duplicate message or a
second worker finds its recipients already claimed and leaves them alone. A claim by a worker
that died before recording its result (`sending` past the lease) is settled by what SES said:
SES publishes a Send event for every email it accepted (recorded as `ses_accepted_at`), so a
claim with one was sent and is recorded as such, and one without was not and is claimed again.
Events after the send (delivery, open, click, bounce, complaint, unsubscribe, conversion) each
change the recipient once, in the same transaction as the campaign counter they move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from pynamodb.attributes import Attribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from marketing import clock
from marketing.activity.store import activity
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.models.recipients import CampaignRecipient, RecipientStatus, SuppressionReason
from marketing.campaigns.store.mailings import activity_series, add_counters
from marketing.store.attributes import DecimalAttribute
from marketing.store.conditions import Transaction, applied, transact
from marketing.store.table_meta import TableMeta

# Stored only while a worker holds the claim; the API shows such a recipient as pending.
SENDING = "sending"


class RecipientRecord(Model):
    class Meta(TableMeta):
        table_env = "CAMPAIGN_RECIPIENTS_TABLE"

    campaign_id = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    status = UnicodeAttribute()
    suppressed_reason = UnicodeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    attempt_id = UnicodeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    ses_accepted_at = UTCDateTimeAttribute(null=True)  # SES's Send event for this email arrived
    delivered_at = UTCDateTimeAttribute(null=True)
    opened_at = UTCDateTimeAttribute(null=True)
    clicked_at = UTCDateTimeAttribute(null=True)
    open_count = NumberAttribute(default=0)
    click_count = NumberAttribute(default=0)
    open_counted_at = UTCDateTimeAttribute(null=True)  # the last repeat open written (engagement below)
    click_counted_at = UTCDateTimeAttribute(null=True)
    bounced_at = UTCDateTimeAttribute(null=True)
    complained_at = UTCDateTimeAttribute(null=True)
    unsubscribed_at = UTCDateTimeAttribute(null=True)
    converted_order_id = UnicodeAttribute(null=True)
    revenue = DecimalAttribute(null=True)
    attributed_orders = UnicodeSetAttribute(null=True)

    def to_domain(self) -> CampaignRecipient:
        status = RecipientStatus.PENDING if self.status == SENDING else RecipientStatus(self.status)
        return CampaignRecipient(
            campaign_id=self.campaign_id,
            contact_id=self.contact_id,
            email=self.email,
            status=status,
            suppressed_reason=SuppressionReason(self.suppressed_reason) if self.suppressed_reason else None,
            failure_reason=self.failure_reason,
            attempts=int(self.attempts or 0),
            sent_at=self.sent_at,
            delivered_at=self.delivered_at,
            opened_at=self.opened_at,
            clicked_at=self.clicked_at,
            open_count=int(self.open_count or 0),
            click_count=int(self.click_count or 0),
            converted_order_id=self.converted_order_id,
            revenue=self.revenue,
        )


class Claim(NamedTuple):
    contact_id: str
    email: str
    suppressed: SuppressionReason | None = None


class Result(NamedTuple):
    contact_id: str
    attempt_id: str  # the claim it settles
    status: RecipientStatus  # SENT, FAILED, or PENDING (try again later)
    message_id: str | None = None
    reason: str | None = None


def claim(
    mailing: MailingRef, claims: list[Claim], attempt_id: str, now: datetime, *, retry_failed: bool = False
) -> list[Claim]:
    """Claims what nobody has handled yet: suppressed ones are recorded as such, the others are
    marked `sending` for this attempt. Returns the claims this attempt must now send."""
    if retry_failed:
        claimable: Condition = RecipientRecord.status == RecipientStatus.FAILED.value
    else:
        claimable = RecipientRecord.status.does_not_exist() | (RecipientRecord.status == RecipientStatus.PENDING.value)
    pending = list(claims)
    while pending:

        def write(tx: Transaction, batch: list[Claim] = pending) -> None:
            for item in batch:
                actions = [
                    RecipientRecord.email.set(item.email),
                    RecipientRecord.claimed_at.set(now),
                    RecipientRecord.attempt_id.set(attempt_id),
                ]
                if item.suppressed:
                    actions += [
                        RecipientRecord.status.set(RecipientStatus.SUPPRESSED.value),
                        RecipientRecord.suppressed_reason.set(item.suppressed.value),
                    ]
                else:
                    actions += [RecipientRecord.status.set(SENDING), RecipientRecord.attempts.add(1)]
                tx.update(RecipientRecord(mailing.id, item.contact_id), actions, claimable, add_version_condition=False)
            counters: dict[str, int | Decimal] = {"suppressed": sum(1 for item in batch if item.suppressed)}
            if retry_failed:
                counters["failed"] = -len(batch)
            add_counters(tx, mailing, counters)

        refused = set(transact(RecipientRecord.Meta.region, write))
        if not refused:
            return [item for item in pending if not item.suppressed]
        pending = [item for index, item in enumerate(pending) if index not in refused]
    return []


def record_results(mailing: MailingRef, results: list[Result], now: datetime) -> None:
    """What happened to each claimed send, with the campaign's counters, in one transaction. A
    claim no longer this attempt's (settled by another worker after its lease) is left alone."""
    pending = list(results)
    while pending:

        def write(tx: Transaction, batch: list[Result] = pending) -> None:
            _write_results(tx, mailing, batch, now)

        refused = set(transact(RecipientRecord.Meta.region, write))
        if not refused:
            return
        _count_overtaken(mailing, [result for index, result in enumerate(pending) if index in refused], now)
        pending = [result for index, result in enumerate(pending) if index not in refused]


def _count_overtaken(mailing: MailingRef, refused: list[Result], now: datetime) -> None:
    """Sends whose SES events got there first: a bounce (or an unsubscribe from the email) can be
    recorded while the batch is still sending, and its status then stands. The send still counts,
    once (sent_at is the marker), so the campaign's progress reaches its total."""
    for result in refused:
        if result.status != RecipientStatus.SENT:
            continue
        overtaken = (
            (RecipientRecord.attempt_id == result.attempt_id)
            & (RecipientRecord.status != SENDING)
            & RecipientRecord.sent_at.does_not_exist()
        )
        actions: list[Action] = [RecipientRecord.sent_at.set(now)]
        if result.message_id:
            actions.append(RecipientRecord.message_id.set(result.message_id))

        def write(
            tx: Transaction,
            contact_id: str = result.contact_id,
            actions: list[Action] = actions,
            condition: Condition = overtaken,
        ) -> None:
            tx.update(RecipientRecord(mailing.id, contact_id), actions, condition, add_version_condition=False)
            add_counters(tx, mailing, {"sent": 1})
            activity.add_mailing_event(tx, activity_series(mailing), {"sent": 1}, now)

        transact(RecipientRecord.Meta.region, write)  # refused: settled by another worker, or counted


def _write_results(tx: Transaction, mailing: MailingRef, results: list[Result], now: datetime) -> None:
    """Each result on the recipient it settles, if the claim is still this attempt's."""
    for result in results:
        owned = (RecipientRecord.status == SENDING) & (RecipientRecord.attempt_id == result.attempt_id)
        actions: list[Action] = [RecipientRecord.status.set(result.status.value)]
        if result.status == RecipientStatus.SENT:
            actions += [RecipientRecord.sent_at.set(now), RecipientRecord.failure_reason.remove()]
            if result.message_id:
                actions.append(RecipientRecord.message_id.set(result.message_id))
        else:
            actions.append(RecipientRecord.failure_reason.set((result.reason or "unknown")[:500]))
        tx.update(RecipientRecord(mailing.id, result.contact_id), actions, owned, add_version_condition=False)
    sent = sum(1 for result in results if result.status == RecipientStatus.SENT)
    failed = sum(1 for result in results if result.status == RecipientStatus.FAILED)
    add_counters(tx, mailing, {"sent": sent, "failed": failed})
    activity.add_mailing_event(tx, activity_series(mailing), {"sent": sent}, now)


# What the events of an email record over its claim (a bounce, an unsubscribe from the email).
_OVERTAKING = frozenset({RecipientStatus.BOUNCED.value, RecipientStatus.UNSUBSCRIBED.value})


def interrupted(mailing: MailingRef, contact_ids: Iterable[str], stale_before: datetime) -> list[RecipientRecord]:
    """Recipients among `contact_ids` whose claim is older than `stale_before` and unresolved: still
    `sending`, or sent (SES's Send event says so) and overtaken by an event of that email before the
    worker that claimed it recorded its result, so never counted as sent (`_count_overtaken` counts
    it, once, when its result is recorded)."""
    keys = [(mailing.id, contact_id) for contact_id in contact_ids]
    if not keys:
        return []
    return [
        item
        for item in RecipientRecord.batch_get(keys)
        if item.claimed_at is not None
        and item.claimed_at < stale_before
        and (
            item.status == SENDING
            or (item.status in _OVERTAKING and item.sent_at is None and item.ses_accepted_at is not None)
        )
    ]


def reclaim(mailing: MailingRef, stale: list[RecipientRecord], attempt_id: str, now: datetime) -> list[str]:
    """Takes over abandoned claims for this attempt; returns the contact ids it now holds."""
    pending = list(stale)
    while pending:

        def write(tx: Transaction, batch: list[RecipientRecord] = pending) -> None:
            for item in batch:
                tx.update(
                    RecipientRecord(mailing.id, item.contact_id),
                    [
                        RecipientRecord.attempt_id.set(attempt_id),
                        RecipientRecord.claimed_at.set(now),
                        RecipientRecord.attempts.add(1),
                    ],
                    (RecipientRecord.status == SENDING) & (RecipientRecord.attempt_id == item.attempt_id),
                    add_version_condition=False,
                )

        refused = set(transact(RecipientRecord.Meta.region, write))
        if not refused:
            return [item.contact_id for item in pending]
        pending = [item for index, item in enumerate(pending) if index not in refused]
    return []


# Recipients whose result is recorded, for good: nothing claims them again (`failed` is not one:
# retry-failed claims it again). SES's Send event for such an email settles nothing.
_SETTLED = frozenset(
    status.value
    for status in (
        RecipientStatus.SENT,
        RecipientStatus.BOUNCED,
        RecipientStatus.UNSUBSCRIBED,
        RecipientStatus.SUPPRESSED,
    )
)


def settled(keys: Iterable[tuple[MailingRef, str]]) -> set[tuple[str, str]]:
    """Of these recipients (mailing, contact id), the (mailing id, contact id) of those whose result
    is recorded for good, read in one batch: half a read unit each, where a conditional write that
    changes nothing still costs a write unit. The read may be stale, but only ever shows an earlier
    state, never a result not yet written: a recipient it misses is written as before."""
    wanted = list(dict.fromkeys((mailing.id, contact_id) for mailing, contact_id in keys))
    if not wanted:
        return set()
    found = RecipientRecord.batch_get(wanted, attributes_to_get=["campaign_id", "contact_id", "status"])
    return {(item.campaign_id, item.contact_id) for item in found if item.status in _SETTLED}


def confirm_accepted(mailing: MailingRef, contact_id: str, message_id: str, accepted_at: datetime) -> bool:
    """Records SES's Send event for the recipient's email (once); False if unknown or already."""
    return applied(
        lambda: RecipientRecord(mailing.id, contact_id).update(
            actions=[RecipientRecord.ses_accepted_at.set(accepted_at), RecipientRecord.message_id.set(message_id)],
            condition=RecipientRecord.contact_id.exists() & RecipientRecord.ses_accepted_at.does_not_exist(),
            add_version_condition=False,
        )
    )


def find(mailing: MailingRef, contact_id: str) -> RecipientRecord | None:
    try:
        return RecipientRecord.get(mailing.id, contact_id, consistent_read=True)
    except RecipientRecord.DoesNotExist:
        return None


def page(
    mailing: MailingRef, limit: int, start_key: dict[str, Any] | None, status: RecipientStatus | None = None
) -> tuple[list[CampaignRecipient], dict[str, Any] | None]:
    condition = None
    if status == RecipientStatus.PENDING:
        condition = RecipientRecord.status.is_in(RecipientStatus.PENDING.value, SENDING)
    elif status is not None:
        condition = RecipientRecord.status == status.value
    results = RecipientRecord.query(mailing.id, filter_condition=condition, limit=limit, last_evaluated_key=start_key)
    return [item.to_domain() for item in results], results.last_evaluated_key


def failed(mailing: MailingRef) -> Iterator[RecipientRecord]:
    yield from RecipientRecord.query(
        mailing.id, filter_condition=RecipientRecord.status == RecipientStatus.FAILED.value
    )


# --- what happens after the send ---------------------------------------------------------------
def record_once(
    mailing: MailingRef,
    contact_id: str,
    marker: Attribute[Any],
    actions: list[Action],
    counters: dict[str, int | Decimal],
    at: datetime,
    condition: Condition | None = None,
) -> bool:
    """Applies `actions` and adds `counters` to the campaign, and to its activity at `at`, if
    `marker` is not set yet (and `condition` holds); False if the recipient is unknown or it
    already happened."""
    first_time = RecipientRecord.contact_id.exists() & (condition if condition is not None else marker.does_not_exist())

    def write(tx: Transaction) -> None:
        tx.update(RecipientRecord(mailing.id, contact_id), actions, first_time, add_version_condition=False)
        add_counters(tx, mailing, counters)
        activity.add_mailing_event(tx, activity_series(mailing), counters, at)

    # Run again if it met another transaction on the mailing's or the activity's counters.
    return not transact(RecipientRecord.Meta.region, write)


# A transaction's items cost twice a plain write: one counter update for many deliveries is most
# of what writing them together saves. DynamoDB takes 100 items in one; the rest are the counters.
FIRSTS_PER_WRITE = 90


def _record_firsts(
    mailing: MailingRef,
    marker: Attribute[Any],
    firsts: list[tuple[str, list[Action]]],
    counter: str,
    at: datetime,
) -> set[str]:
    """Sets each recipient's `marker` with its actions (contact id, actions) where it is not set
    yet, together, in the same transactions as the mailing's `counter` and its activity at `at`.
    Returns the contacts written (not one already marked, nor an unknown recipient)."""
    counted: set[str] = set()
    first_time = RecipientRecord.contact_id.exists() & marker.does_not_exist()
    for start in range(0, len(firsts), FIRSTS_PER_WRITE):
        pending = firsts[start : start + FIRSTS_PER_WRITE]
        while pending:

            def write(tx: Transaction, batch: list[tuple[str, list[Action]]] = pending) -> None:
                for contact_id, actions in batch:
                    tx.update(RecipientRecord(mailing.id, contact_id), actions, first_time, add_version_condition=False)
                add_counters(tx, mailing, {counter: len(batch)})
                activity.add_mailing_event(tx, activity_series(mailing), {counter: len(batch)}, at)

            refused = set(transact(RecipientRecord.Meta.region, write))
            if not refused:
                counted.update(contact_id for contact_id, _ in pending)
                break
            pending = [item for index, item in enumerate(pending) if index not in refused]
    return counted


def record_deliveries(mailing: MailingRef, deliveries: list[tuple[str, datetime]], at: datetime) -> set[str]:
    """SES delivered these emails of the mailing (contact id, when): each recorded and counted once,
    together. Returns the contacts whose delivery was new."""
    firsts = [(contact_id, [RecipientRecord.delivered_at.set(when)]) for contact_id, when in deliveries]
    return _record_firsts(mailing, RecipientRecord.delivered_at, firsts, "delivered", at)


def record_first_opens(mailing: MailingRef, opens: list[tuple[str, datetime, int]], at: datetime) -> set[str]:
    """First opens of the mailing (contact id, when, how many hits of the pixel came with it: each
    counts, up to EXACT_COUNT), each recorded and counted once, together. Returns the contacts whose
    first open it was; the others had opened already (or are unknown) and are left to `record_open`.
    The recipients are read first, together (half a read unit each): one that opened already (a
    click records its open at once) would cancel the transaction, and a cancelled one costs its
    writes all the same. A stale read only lets such a recipient through, to be refused as before."""
    keys = list(dict.fromkeys((mailing.id, contact_id) for contact_id, _, _ in opens))
    found = RecipientRecord.batch_get(keys, attributes_to_get=["campaign_id", "contact_id", "opened_at"])
    unopened = {item.contact_id for item in found if item.opened_at is None}
    firsts = [
        (
            contact_id,
            [
                RecipientRecord.opened_at.set(when),
                RecipientRecord.open_count.add(min(hits, EXACT_COUNT)),
                RecipientRecord.open_counted_at.set(when),
            ],
        )
        for contact_id, when, hits in opens
        if contact_id in unopened
    ]
    if not firsts:
        return set()
    return _record_firsts(mailing, RecipientRecord.opened_at, firsts, "opened", at)


def record_bounce(mailing: MailingRef, contact_id: str, bounced_at: datetime) -> bool:
    """A permanent bounce: the recipient is bounced, counted once for the mailing."""
    actions = [RecipientRecord.bounced_at.set(bounced_at), RecipientRecord.status.set(RecipientStatus.BOUNCED.value)]
    return record_once(mailing, contact_id, RecipientRecord.bounced_at, actions, {"bounced": 1}, bounced_at)


def record_complaint(mailing: MailingRef, contact_id: str, complained_at: datetime) -> bool:
    actions = [RecipientRecord.complained_at.set(complained_at)]
    return record_once(mailing, contact_id, RecipientRecord.complained_at, actions, {"complained": 1}, complained_at)


def record_rejection(mailing: MailingRef, contact_id: str, reason: str) -> bool:
    """SES refused the email (it never tried to deliver it): the reason, recorded once."""
    actions = [RecipientRecord.failure_reason.set(reason[:500])]
    return record_once(mailing, contact_id, RecipientRecord.failure_reason, actions, {}, clock.utcnow())


def record_conversion(mailing: MailingRef, contact_id: str, order_id: str, revenue: Decimal) -> bool:
    """Credits the order to the recipient and its mailing, once per order however often it comes:
    the recipient remembers the orders it was credited with, in the same transaction."""
    return record_once(
        mailing,
        contact_id,
        RecipientRecord.attributed_orders,
        [
            RecipientRecord.converted_order_id.set(RecipientRecord.converted_order_id | order_id),
            RecipientRecord.revenue.add(revenue),
            RecipientRecord.attributed_orders.add({order_id}),
        ],
        {"conversions": 1, "revenue": revenue},
        clock.utcnow(),
        condition=~RecipientRecord.attributed_orders.contains(order_id),
    )


def record_unsubscribe(mailing: MailingRef, contact_id: str, now: datetime) -> bool:
    """The recipient unsubscribed through this mailing's link: counted once for the mailing."""
    return record_once(
        mailing,
        contact_id,
        RecipientRecord.unsubscribed_at,
        [RecipientRecord.unsubscribed_at.set(now), RecipientRecord.status.set(RecipientStatus.UNSUBSCRIBED.value)],
        {"unsubscribed": 1},
        now,
    )


# --- opens and clicks ------------------------------------------------------------------------------
# The pixel and the click links are public: anyone holding an email can fetch them in a loop. Each
# hit reads the recipient (half a read unit) and writes only when it changes something worth a
# write: the first open or click (counted for the campaign), the next repeats up to EXACT_COUNT, and
# after that one repeat per REPEAT_WINDOW. A script then costs at most 24 writes a day per recipient,
# and the counts stay exact for anyone a person would believe.
EXACT_COUNT = 10
REPEAT_WINDOW = timedelta(hours=1)


class Engagement(StrEnum):
    FIRST = "first"  # the recipient's first open (or click): the campaign counts it
    FIRST_LATER = "first later"  # a first open left to record_first_opens: nothing written yet
    REPEAT = "repeat"  # added to the recipient's own count
    UNCOUNTED = "uncounted"  # a repeat past the exact count within the window: nothing written
    UNKNOWN = "unknown"  # no such recipient (a test send, an erased contact): nothing written


class _Kind(NamedTuple):
    marker: UTCDateTimeAttribute
    count: NumberAttribute
    counted_at: UTCDateTimeAttribute
    counter: str  # the campaign's unique counter


_OPEN = _Kind(RecipientRecord.opened_at, RecipientRecord.open_count, RecipientRecord.open_counted_at, "opened")
_CLICK = _Kind(RecipientRecord.clicked_at, RecipientRecord.click_count, RecipientRecord.click_counted_at, "clicked")
# The keys too: an item none of whose other attributes exist yet would read as no item at all.
_ENGAGEMENT_ATTRIBUTES = [
    "campaign_id",
    "contact_id",
    *(attribute.attr_name for kind in (_OPEN, _CLICK) for attribute in kind[:3]),
]


def _engage(mailing: MailingRef, contact_id: str, record: RecipientRecord, kind: _Kind, now: datetime) -> Engagement:
    if getattr(record, kind.marker.attr_name) is None:
        actions = [kind.marker.set(now), kind.count.add(1), kind.counted_at.set(now)]
        if record_once(mailing, contact_id, kind.marker, actions, {kind.counter: 1}, now):
            return Engagement.FIRST
    count = int(getattr(record, kind.count.attr_name) or 0)
    counted_at = getattr(record, kind.counted_at.attr_name)
    if count >= EXACT_COUNT and counted_at is not None and now - counted_at < REPEAT_WINDOW:
        return Engagement.UNCOUNTED
    # The read may be stale, or many hits may race past it: the write itself holds the limit.
    due = (kind.count < EXACT_COUNT) | kind.counted_at.does_not_exist() | (kind.counted_at < now - REPEAT_WINDOW)
    counted = applied(
        lambda: RecipientRecord(mailing.id, contact_id).update(
            actions=[kind.count.add(1), kind.counted_at.set(now)],
            condition=RecipientRecord.contact_id.exists() & due,
            add_version_condition=False,
        )
    )
    return Engagement.REPEAT if counted else Engagement.UNCOUNTED


def _engagement_of(mailing: MailingRef, contact_id: str) -> RecipientRecord | None:
    """What opens and clicks decide on, read eventually consistently: a stale read at worst counts
    one repeat too many, never a first open twice (that write is conditional)."""
    try:
        return RecipientRecord.get(mailing.id, contact_id, attributes_to_get=_ENGAGEMENT_ATTRIBUTES)
    except RecipientRecord.DoesNotExist:
        return None


def record_open(mailing: MailingRef, contact_id: str, now: datetime, *, first_later: bool = False) -> Engagement:
    """A hit on the pixel. With `first_later`, a first open is only reported (FIRST_LATER), for the
    caller to hand to `record_first_opens` with others; a repeat is written here either way."""
    record = _engagement_of(mailing, contact_id)
    if record is None:
        return Engagement.UNKNOWN
    if first_later and record.opened_at is None:
        return Engagement.FIRST_LATER
    return _engage(mailing, contact_id, record, _OPEN, now)


class Click(NamedTuple):
    click: Engagement
    # A click counts as an open (images are often blocked): the recipient had not opened yet, and
    # the caller hands the open to `record_first_opens` (nothing is written for it here).
    first_open: bool


def record_click(mailing: MailingRef, contact_id: str, now: datetime) -> Click:
    record = _engagement_of(mailing, contact_id)
    if record is None:
        return Click(Engagement.UNKNOWN, first_open=False)
    return Click(_engage(mailing, contact_id, record, _CLICK, now), first_open=record.opened_at is None)


def record_anonymous(mailing: MailingRef, contact_id: str, counter: str) -> bool:
    """An open or click of a recipient not tracked per person (no tracking consent): one more on
    the mailing's `counter` (anonymous_opens, anonymous_clicks) for every hit, and nothing on the
    recipient, so nothing says who it was. False if the recipient is unknown (a test send, an
    erased contact): nothing counted, as for a tracked one."""
    try:
        RecipientRecord.get(mailing.id, contact_id, attributes_to_get=["campaign_id", "contact_id"])
    except RecipientRecord.DoesNotExist:
        return False

    def write(tx: Transaction) -> None:
        add_counters(tx, mailing, {counter: 1})

    return not transact(RecipientRecord.Meta.region, write)


def for_contact(contact_id: str) -> Iterator[RecipientRecord]:
    """Every campaign recipient record of one contact (export and erasure; a rare full scan)."""
    yield from RecipientRecord.scan(filter_condition=RecipientRecord.contact_id == contact_id)


def forget_contact(contact_id: str) -> None:
    with RecipientRecord.batch_write() as batch:
        for item in for_contact(contact_id):
            batch.delete(item)
