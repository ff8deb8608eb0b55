"""Gift card rules.

- Staff create a card with an amount, currency and optional expiry; the response carries the
  code, which is never shown again (codes.py: the table keeps a keyed hash of it).
- Redeeming takes part or all of the balance for an order, once per order id: the same order id
  again returns the first redemption and charges nothing more. An amount above the balance, a
  card past its expiry, an expired card, a card staff disabled: 422. Another order id on a card that
  redeemed for an order is its own redemption.
- A refund (`order.refunded`) goes back first to the gift cards the order was paid with, up to
  what they paid, once per refund, never above a card's initial amount.
- Cards bought in the shop (an `order.paid` line of type gift_card) are created, one per unit,
  with ids that come from the order line, and emailed to their recipient once.
- Guessing is rate-limited: a caller whose lookups or redemptions name unknown codes or cards
  10 times in 15 minutes gets 429 until the window ends (API Gateway also throttles the routes).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from marketing import clock, pagination
from marketing.auth import Principal
from marketing.aws.ses import SendOutcomeUnknown, SendRefused, SendRetryable
from marketing.errors import BusinessRuleViolation, Conflict, NotFound, Throttled
from marketing.growth.codes import code_key
from marketing.growth.models.gift_cards import (
    CreatedGiftCard,
    GiftCard,
    GiftCardCreate,
    GiftCardDetail,
    GiftCardPage,
    GiftCardRedeem,
    GiftCardRedemption,
    GiftCardSource,
    GiftCardStatus,
    Greeting,
    NewGiftCard,
)
from marketing.growth.store import gift_cards as store
from marketing.growth.store.ledger import Posting
from marketing.ids import new_id
from marketing.observability import logger, metrics
from marketing.store import attempts

if TYPE_CHECKING:  # the event models are the shop-events worker's; others need not load them
    from marketing.audience.models.shop_events import OrderPaid

GUESS_SCOPE = "gift-card"
GUESS_WINDOW = timedelta(minutes=15)
MAX_FAILED_GUESSES = 10
PURCHASED_CARD_VALIDITY = timedelta(days=730)
REFUND_RETRIES = 5


def _new_card(
    card_id: str, amount: Decimal, currency: str, expires_at: datetime | None, source: GiftCardSource, **fields
) -> tuple[NewGiftCard, str]:
    """The card to issue and its code (derived from its id: the same code after a crash)."""
    keys = code_key()
    code = keys.derived_code(card_id)
    card = NewGiftCard(
        card_id,
        code_hash=keys.lookup_hash(code),
        code_hint=code[-4:],
        amount=amount,
        currency=currency,
        expires_at=expires_at,
        source=source,
        created_at=clock.utcnow(),
        **fields,
    )
    return card, code


def create(request: GiftCardCreate) -> CreatedGiftCard:
    if request.expires_at is not None and request.expires_at <= clock.utcnow():
        raise BusinessRuleViolation(
            "the expiry is in the past", [{"field": "expires_at", "reason": "must be in the future"}]
        )
    new_card, code = _new_card(
        new_id("gc"),
        request.amount,
        request.currency,
        request.expires_at,
        GiftCardSource.STAFF,
        recipient_email=request.recipient_email,
        note=request.note,
    )
    return CreatedGiftCard(**store.issue(new_card).model_dump(), code=code)


def get(card_id: str) -> GiftCardDetail:
    card = store.get(card_id)
    return GiftCardDetail(**card.model_dump(), transactions=store.entries(card_id))


def list_page(limit: int | None, cursor: str | None) -> GiftCardPage:
    items, last_key = store.list_page(pagination.page_size(limit), pagination.decode_cursor(cursor, "gift-cards"))
    return GiftCardPage(items=items, next=pagination.encode_cursor(last_key, "gift-cards"))


def _guarded(caller: Principal) -> None:
    failed, window_ends = attempts.failures(GUESS_SCOPE, caller.id, clock.utcnow(), GUESS_WINDOW)
    if failed >= MAX_FAILED_GUESSES:
        seconds = max(1, int((window_ends - clock.utcnow()).total_seconds()))
        raise Throttled(f"too many unknown gift-card codes or ids; try again in {seconds} seconds")


def _guessed_wrong(caller: Principal, error: NotFound) -> NotFound:
    attempts.record_failure(GUESS_SCOPE, caller.id, clock.utcnow(), GUESS_WINDOW)
    return error


def lookup(code: str, caller: Principal) -> GiftCard:
    """The card a code belongs to (checkout's balance check before redeeming)."""
    _guarded(caller)
    card_id = store.id_for_code_hash(code_key().lookup_hash(code))
    card = store.find(card_id) if card_id else None
    if card is None:
        raise _guessed_wrong(caller, NotFound("no gift card has this code"))
    return card


def _refusal(card: GiftCard, request: GiftCardRedeem, now: datetime) -> BusinessRuleViolation:
    unusable = None
    if card.status is GiftCardStatus.DISABLED:
        unusable = "disabled"
    elif card.status is GiftCardStatus.EXPIRED or (card.expires_at is not None and card.expires_at <= now):
        unusable = "expired"
    if unusable:
        return BusinessRuleViolation(f"gift card {card.id} is {unusable}", [{"field": "gift_card", "reason": unusable}])
    return BusinessRuleViolation(
        f"the card holds {card.balance:.2f} {card.currency}, less than {request.amount:.2f}",
        [{"field": "amount", "reason": f"more than the balance of {card.balance:.2f}"}],
    )


def redeem(card_id: str, request: GiftCardRedeem, caller: Principal) -> GiftCardRedemption:
    _guarded(caller)
    card = store.find(card_id)
    if card is None:
        raise _guessed_wrong(caller, NotFound(f"gift card {card_id} not found"))
    if request.currency is not None and request.currency != card.currency:
        raise BusinessRuleViolation(
            f"the card is in {card.currency}", [{"field": "currency", "reason": f"must be {card.currency}"}]
        )
    now = clock.utcnow()
    posting, entry = store.redeem(card_id, request.order_id, request.amount, now)
    if entry is None:
        raise _refusal(store.get(card_id), request, now)
    if posting is Posting.DUPLICATE and -entry.amount != request.amount:
        raise Conflict(
            f"order {request.order_id} already redeemed {-entry.amount:.2f} from this card",
            [{"field": "order_id", "reason": "already used for a different amount"}],
        )
    if posting is Posting.APPLIED:
        metrics.add_metric(name="GiftCardRedemptions", unit="Count", value=1)
    card = store.get(card_id)
    return GiftCardRedemption(
        gift_card_id=card_id,
        order_id=request.order_id,
        amount=-entry.amount,
        currency=card.currency,
        balance=card.balance,
        transaction=entry,
    )


def disable(card_id: str) -> GiftCard:
    """Stops a card from being redeemed (lost, stolen, sold in error); its balance stays."""
    store.get(card_id)  # NotFound for an unknown card
    if not store.disable(card_id):
        raise BusinessRuleViolation(f"gift card {card_id} is not active", [{"field": "status", "reason": "not active"}])
    return store.get(card_id)


def refund_for_order(order_id: str, refund_key: str, amount: Decimal) -> Decimal:
    """`order.refunded`: gives up to `amount` back to the cards the order was paid with; returns
    how much went back to cards (the rest of the refund is the shop's other payment methods)."""
    left = amount
    refunded = Decimal(0)
    for card_id in store.cards_paid_with(order_id):
        done = store.refunded(card_id, order_id, refund_key)
        if done is not None:  # this refund reached this card before (a redelivery)
            left -= done.amount
            refunded += done.amount
            continue
        if left > 0:
            given = _refund_card(card_id, refund_key, order_id, left)
            refunded += given
            left -= given
    return refunded


def _refund_card(card_id: str, refund_key: str, order_id: str, wanted: Decimal) -> Decimal:
    """Up to `wanted` back to the card: never more than the order took off it less what earlier
    refunds gave back, nor above its initial amount (what would overflow it is the shop's to pay
    otherwise). A refund or redemption racing this one refuses the posting: read again, retried."""
    for _ in range(REFUND_RETRIES):
        card = store.get(card_id)
        paid = store.paid_with(card_id, order_id)
        if paid is None:
            return Decimal(0)
        amount = min(wanted, paid.refundable, card.initial_balance - card.balance)
        if amount <= 0:
            return Decimal(0)
        posting = store.refund(card, refund_key, order_id, amount, paid, clock.utcnow())
        if posting is not Posting.REFUSED:
            return amount
    raise RuntimeError(f"gift card {card_id} could not be refunded: its balance kept changing")


def issue_purchased(order: OrderPaid) -> str:
    """`order.paid`: the gift cards the order bought, created and emailed once."""
    made = emailed = 0
    for line_number, line in enumerate(order.line_items):
        if line.type != "gift_card":
            continue
        for unit in range(line.quantity):
            seed = f"{order.order_id}:{line_number}:{unit}"
            card_id = "gc_" + hashlib.sha256(seed.encode()).hexdigest()[:24]
            new_card, code = _new_card(
                card_id,
                line.unit_price,
                order.currency,
                clock.utcnow() + PURCHASED_CARD_VALIDITY,
                GiftCardSource.PURCHASE,
                order_id=order.order_id,
                recipient_email=line.recipient_email or order.email,
                greeting=Greeting(line.recipient_name, line.sender_name, line.message),
                email_status="pending",
            )
            try:
                card = store.issue(new_card)
                made += 1
            except Conflict:
                card = store.get(card_id)  # made by an earlier delivery of this event
            emailed += _email(card, code)
    return f"{made} gift card(s) created, {emailed} emailed" if made or emailed else "no gift cards bought"


def _email(card: GiftCard, code: str) -> int:
    """Emails a purchased card, at most once: the claim is taken before SES is called, so a crash
    after the send leaves the claim (`sending`) rather than a second email."""
    if card.email_status != "pending" or not store.claim_email(card.id):
        return 0
    # Imported here: only orders that buy cards need it, not every cold start of the functions.
    from marketing.email.services.suppression import transactional_suppression
    from marketing.growth.services import gift_card_email

    if not card.recipient_email:  # erased since the card was made (its email had not gone yet)
        store.set_email_status(card.id, store.ERASED_EMAIL_STATUS)
        return 0
    try:
        reason = transactional_suppression(card.recipient_email)
        if reason:
            store.set_email_status(card.id, f"not sent: address {reason}")
            return 0
        message_id = gift_card_email.send(card, code, *store.greeting(card.id))
    except SendRefused as exc:
        store.set_email_status(card.id, f"not sent: {exc}"[:300])
        logger.warning("gift card email refused", gift_card_id=card.id, reason=str(exc))
        return 0
    except SendOutcomeUnknown:
        raise  # SES may have it: the claim stays (`sending`), never a second email
    except SendRetryable as exc:
        store.set_email_status(card.id, "pending")  # not taken by SES: the event's redelivery tries again
        raise RuntimeError(f"gift card {card.id}: SES did not take the email now: {exc}") from exc
    except Exception:
        # Before SES was asked (a read, the settings, the email's making): nothing was sent, so
        # the claim goes back and the event's redelivery tries again rather than leave it stuck.
        store.set_email_status(card.id, "pending")
        raise
    store.set_email_status(card.id, "sent", message_id)
    logger.info("gift card emailed", gift_card_id=card.id)
    return 1


def expire_due(now: datetime) -> str:
    expired = sum(store.expire(card_id, now) for card_id in list(store.expired_ids(now)))
    return f"{expired} gift card(s) expired"
