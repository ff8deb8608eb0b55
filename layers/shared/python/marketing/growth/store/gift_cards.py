"""Gift cards and their ledger: the only code that knows how they are stored.

The card item holds the balance; the table keeps a keyed hash of the code, never the code
(codes.py). Entries are keyed by (card id, idempotency key): `purchase`, `redemption:<order>`,
`refund:<order>:<refund>`. A redemption's balance condition also requires the card to be active and not
past its expiry, so a card that expired a second ago cannot be spent even before the daily run
marks it. The `redeemed` status is not stored: it is an active card with nothing left, so a
refund brings it back without a second write.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from marketing.audience.models.contacts import email_key
from marketing.errors import Conflict
from marketing.growth.models.gift_cards import (
    GiftCard,
    GiftCardSource,
    GiftCardStatus,
    GiftCardTransaction,
    GiftCardTransactionType,
    Greeting,
    NewGiftCard,
)
from marketing.growth.store.ledger import Posting, post
from marketing.ids import new_id
from marketing.store.attributes import DecimalAttribute
from marketing.store.conditions import Transaction, applied, get_or_not_found, transact
from marketing.store.listing import NewestFirstIndex, newest_first_page
from marketing.store.table_meta import TableMeta

LISTING_PARTITION = "gift-card"
ERASED_EMAIL_STATUS = "not sent: recipient erased"
EXPIRY_PARTITION = "expiring"
ACTIVE = GiftCardStatus.ACTIVE.value


class ByCodeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_code"
        projection = KeysOnlyProjection()

    code_hash = UnicodeAttribute(hash_key=True)


class ExpiringIndex(GlobalSecondaryIndex):
    """Active cards with an expiry, soonest first: the daily run reads those past it."""

    class Meta:
        index_name = "by_expiry"
        projection = KeysOnlyProjection()

    expiry_partition = UnicodeAttribute(hash_key=True)
    expires_at = UTCDateTimeAttribute(range_key=True)


class GiftCardRecord(Model):
    class Meta(TableMeta):
        table_env = "GIFT_CARDS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING_PARTITION)
    code_hash = UnicodeAttribute()
    code_hint = UnicodeAttribute()
    initial_balance = DecimalAttribute()
    balance = DecimalAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default=ACTIVE)
    expires_at = UTCDateTimeAttribute(null=True)
    expiry_partition = UnicodeAttribute(null=True)  # set while active with an expiry
    source = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    recipient_email = UnicodeAttribute(null=True)
    recipient_name = UnicodeAttribute(null=True)
    message = UnicodeAttribute(null=True)
    sender_name = UnicodeAttribute(null=True)
    email_status = UnicodeAttribute(null=True)
    email_message_id = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    by_created = NewestFirstIndex()
    by_code = ByCodeIndex()
    by_expiry = ExpiringIndex()

    def to_domain(self) -> GiftCard:
        status = GiftCardStatus(self.status)
        if status is GiftCardStatus.ACTIVE and self.balance <= 0:
            status = GiftCardStatus.REDEEMED
        return GiftCard(
            id=self.id,
            code_hint=self.code_hint,
            initial_balance=self.initial_balance,
            balance=self.balance,
            currency=self.currency,
            status=status,
            expires_at=self.expires_at,
            source=GiftCardSource(self.source),
            order_id=self.order_id,
            recipient_email=self.recipient_email,
            email_status=self.email_status,
            note=self.note,
            created_at=self.created_at,
        )


class ByOrderIndex(GlobalSecondaryIndex):
    """Entries naming an order: a refund finds what the order took off which cards."""

    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_id = UnicodeAttribute(hash_key=True)


class GiftCardEntryRecord(Model):
    class Meta(TableMeta):
        table_env = "GIFT_CARD_TRANSACTIONS_TABLE"

    gift_card_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    type = UnicodeAttribute()
    amount = DecimalAttribute()
    order_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    # On a redemption entry: what refunds of its order gave back to the card so far, moved in each
    # refund's transaction on the condition that it is what the refund read (`refund` below).
    refunded = DecimalAttribute(null=True)

    by_order = ByOrderIndex()

    def to_domain(self) -> GiftCardTransaction:
        return GiftCardTransaction(
            id=self.id,
            type=GiftCardTransactionType(self.type),
            amount=self.amount,
            order_id=self.order_id,
            created_at=self.created_at,
        )


def _entry(
    card_id: str, key: str, kind: GiftCardTransactionType, amount: Decimal, now: datetime, order_id: str | None
) -> GiftCardEntryRecord:
    return GiftCardEntryRecord(
        card_id, key, id=new_id("gtx"), type=kind.value, amount=amount, order_id=order_id, created_at=now
    )


def issue(card: NewGiftCard) -> GiftCard:
    """Saves a new card and its `purchase` entry together; Conflict if a card with its id exists
    (a purchased card's id comes from its order line, so a redelivered order makes no second card)."""
    record = GiftCardRecord(
        card.id,
        code_hash=card.code_hash,
        code_hint=card.code_hint,
        initial_balance=card.amount,
        balance=card.amount,
        currency=card.currency,
        expires_at=card.expires_at,
        expiry_partition=EXPIRY_PARTITION if card.expires_at is not None else None,
        source=card.source.value,
        order_id=card.order_id,
        recipient_email=card.recipient_email,
        recipient_name=card.greeting.recipient_name,
        sender_name=card.greeting.sender_name,
        message=card.greeting.message,
        email_status=card.email_status,
        note=card.note,
        created_at=card.created_at,
    )
    purchase = _entry(
        card.id, "purchase", GiftCardTransactionType.PURCHASE, card.amount, card.created_at, card.order_id
    )

    def write(tx) -> None:
        tx.save(record, GiftCardRecord.id.does_not_exist())
        tx.save(purchase, GiftCardEntryRecord.key.does_not_exist())

    if transact(GiftCardRecord.Meta.region, write):
        raise Conflict(f"gift card {card.id} exists")
    return record.to_domain()


def get(card_id: str) -> GiftCard:
    return get_or_not_found(GiftCardRecord, card_id, "gift card").to_domain()


def find(card_id: str) -> GiftCard | None:
    try:
        return GiftCardRecord.get(card_id, consistent_read=True).to_domain()
    except DoesNotExist:
        return None


def greeting(card_id: str) -> Greeting:
    record = get_or_not_found(GiftCardRecord, card_id, "gift card")
    return Greeting(record.recipient_name, record.sender_name, record.message)


def id_for_code_hash(code_hash: str) -> str | None:
    for item in GiftCardRecord.by_code.query(code_hash, limit=1):
        return item.id
    return None


def redeem(card_id: str, order_id: str, amount: Decimal, now: datetime) -> tuple[Posting, GiftCardTransaction | None]:
    """Takes `amount` off the card for `order_id`: once per order, only if the card is active,
    not past its expiry and holds the amount. Returns the order's redemption entry: the one
    written now, or the first one for a repeated order (None if refused)."""
    model = GiftCardRecord
    condition = (
        (model.status == ACTIVE)
        & (model.balance >= amount)
        & (model.expires_at.does_not_exist() | (model.expires_at > now))
    )
    key = f"redemption:{order_id}"
    entry = _entry(card_id, key, GiftCardTransactionType.REDEMPTION, -amount, now, order_id)
    posting = post(entry, model(card_id), [model.balance.add(-amount)], condition)
    if posting is Posting.APPLIED:
        return posting, entry.to_domain()
    return posting, (find_entry(card_id, key) if posting is Posting.DUPLICATE else None)


def _refund_key(order_id: str, refund_key: str) -> str:
    return f"refund:{order_id}:{refund_key}"


def refunded(card_id: str, order_id: str, refund_key: str) -> GiftCardTransaction | None:
    """This refund's entry on the card, if the refund reached it before."""
    return find_entry(card_id, _refund_key(order_id, refund_key))


class PaidWithCard(NamedTuple):
    """What one order took off one card, and what its refunds gave back to it so far."""

    redeemed: Decimal
    refunded: Decimal
    kept: Decimal | None  # the total kept on the redemption entry; None: none yet

    @property
    def refundable(self) -> Decimal:
        return self.redeemed - self.refunded


def paid_with(card_id: str, order_id: str) -> PaidWithCard | None:
    """What `order_id` took off the card and got back, read from the table itself (an index may
    not show a refund made a moment ago); None if the order took nothing off it. Refunds made
    before the total was kept on the redemption are counted from their entries."""
    try:
        redemption = GiftCardEntryRecord.get(card_id, f"redemption:{order_id}", consistent_read=True)
    except DoesNotExist:
        return None
    refunds = GiftCardEntryRecord.query(
        card_id, GiftCardEntryRecord.key.startswith(_refund_key(order_id, "")), consistent_read=True
    )
    given = sum((record.amount for record in refunds), Decimal(0))
    return PaidWithCard(-redemption.amount, max(given, redemption.refunded or Decimal(0)), redemption.refunded)


def refund(
    card: GiftCard, refund_key: str, order_id: str, amount: Decimal, paid: PaidWithCard, now: datetime
) -> Posting:
    """Gives `amount` back to the card, once per refund, never above its initial balance nor above
    what the order took off it: the redemption's refunded total moves in the same transaction, on
    the condition that it is still what `paid` read, so two refunds at once cannot both pass."""
    model = GiftCardRecord
    condition = model.balance <= card.initial_balance - amount
    entry = _entry(card.id, _refund_key(order_id, refund_key), GiftCardTransactionType.REFUND, amount, now, order_id)
    field = GiftCardEntryRecord.refunded
    unchanged = field.does_not_exist() if paid.kept is None else field == paid.kept

    def count_on_redemption(tx: Transaction) -> None:
        redemption = GiftCardEntryRecord(card.id, f"redemption:{order_id}")
        tx.update(redemption, [field.set(paid.refunded + amount)], unchanged, add_version_condition=False)

    return post(entry, model(card.id), [model.balance.add(amount)], condition, along=count_on_redemption)


def find_entry(card_id: str, key: str) -> GiftCardTransaction | None:
    try:
        return GiftCardEntryRecord.get(card_id, key, consistent_read=True).to_domain()
    except DoesNotExist:
        return None


def entries(card_id: str) -> list[GiftCardTransaction]:
    found = [record.to_domain() for record in GiftCardEntryRecord.query(card_id, consistent_read=True)]
    return sorted(found, key=lambda item: item.created_at)


def cards_paid_with(order_id: str) -> list[str]:
    """The cards `order_id` took money off, by the index of entries by order (what each card holds
    for the order is read from the table: `paid_with`)."""
    found = GiftCardEntryRecord.by_order.query(order_id, attributes_to_get=["gift_card_id", "key"])
    return sorted({item.gift_card_id for item in found if item.key.startswith("redemption:")})


def list_page(limit: int, start_key: dict[str, Any] | None) -> tuple[list[GiftCard], dict[str, Any] | None]:
    return newest_first_page(GiftCardRecord.by_created, LISTING_PARTITION, limit, start_key)


def expired_ids(now: datetime) -> Iterator[str]:
    for item in GiftCardRecord.by_expiry.query(EXPIRY_PARTITION, GiftCardRecord.expires_at <= now):
        yield item.id


def expire(card_id: str, now: datetime) -> bool:
    """Marks an active card past its expiry as expired (its balance stays, for the records)."""
    model = GiftCardRecord
    return applied(
        lambda: model(card_id).update(
            actions=[model.status.set(GiftCardStatus.EXPIRED.value), model.expiry_partition.remove()],
            condition=(model.status == ACTIVE) & (model.expires_at <= now),
        )
    )


def disable(card_id: str) -> bool:
    model = GiftCardRecord
    return applied(
        lambda: model(card_id).update(
            actions=[model.status.set(GiftCardStatus.DISABLED.value), model.expiry_partition.remove()],
            condition=model.status == ACTIVE,
        )
    )


def claim_email(card_id: str) -> bool:
    """Marks the card's email as being sent, if nobody did: the email goes at most once."""
    model = GiftCardRecord
    return applied(
        lambda: model(card_id).update(
            actions=[model.email_status.set("sending")], condition=model.email_status == "pending"
        )
    )


def set_email_status(card_id: str, status: str, message_id: str | None = None) -> None:
    model = GiftCardRecord
    actions = [model.email_status.set(status)]
    if message_id is not None:
        actions.append(model.email_message_id.set(message_id))
    model(card_id).update(actions=actions)


def _addressed_to(email: str) -> Iterator[GiftCardRecord]:
    """The cards whose recipient is `email`, compared as contacts compare addresses. No index is by
    recipient: a filtered scan, as erasure and export already scan campaign recipients and
    automation runs (rare: one per data-subject request)."""
    key = email_key(email)
    found = GiftCardRecord.scan(filter_condition=GiftCardRecord.recipient_email.exists(), consistent_read=True)
    for record in found:
        if email_key(record.recipient_email) == key:
            yield record


def addressed_to(email: str) -> list[tuple[GiftCard, Greeting]]:
    """The cards whose recipient is `email`, oldest first, each with its greeting as stored (export)."""
    found = sorted(_addressed_to(email), key=lambda record: record.created_at)
    return [
        (record.to_domain(), Greeting(record.recipient_name, record.sender_name, record.message)) for record in found
    ]


def forget_recipient(email: str) -> int:
    """Erasure: the cards addressed to `email` lose who they are for and from (the recipient's
    address and name, the sender's name, the message) and keep their money: id, code hash,
    balances, status, order and ledger, so each still adds up and redeems by its code. A card
    whose email was still to go is marked not sent, so a redelivered order emails no one.
    Idempotent: a forgotten card names no recipient, so it is not found again. Returns how many."""
    cards = [(record.id, record.email_status == "pending") for record in _addressed_to(email)]
    for card_id, pending in cards:
        _forget(card_id, pending)
    return len(cards)


def _forget(card_id: str, pending: bool) -> None:
    model = GiftCardRecord
    personal = [model.recipient_email, model.recipient_name, model.sender_name, model.message]
    # Conditional: an update of a card gone since would make an item of its key alone.
    applied(lambda: model(card_id).update(actions=[field.remove() for field in personal], condition=model.id.exists()))
    if pending:  # only while nobody claimed it (claim_email): a send under way is not undone
        applied(
            lambda: model(card_id).update(
                actions=[model.email_status.set(ERASED_EMAIL_STATUS)], condition=model.email_status == "pending"
            )
        )
