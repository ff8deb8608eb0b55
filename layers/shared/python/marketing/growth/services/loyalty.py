"""Loyalty points rules.

- `order.paid` with a user id earns `floor(total × points_per_unit)` once per order (entry
  `earned:<order>`); guest orders (no user id) earn nothing.
- `order.refunded` takes back the refunded share of what the order earned, at the rate it was
  earned at, once per refund, never more than the order earned. Points already spent cannot be
  taken back: the balance stops at zero and the entry (an `adjusted` one) records the shortfall.
- Redeeming turns points into a discount at `redemption_rate` points per 1.00, rounded down to
  the penny; at least `min_redeem_points`; more than the balance is a 422. Once per order id.
- Points expire when an account has had no activity (earning, redeeming, a staff adjustment)
  for `expiry_months`: the daily run posts an `expired` entry for the whole balance.
- Staff adjust with a reason; a deduction cannot take the balance below zero.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_FLOOR, Decimal

from marketing import clock, pagination
from marketing.errors import BusinessRuleViolation, Conflict, ValidationFailed
from marketing.growth.models.loyalty import (
    AdjustedAccount,
    LoyaltyAccount,
    LoyaltyTransaction,
    LoyaltyTransactionPage,
    PointsAdjustment,
    PointsEntry,
    PointsRedemption,
    PointsType,
    RedeemPoints,
)
from marketing.growth.models.programs import LoyaltyProgram, LoyaltyProgramPatch
from marketing.growth.services import programs
from marketing.growth.store import loyalty as store
from marketing.growth.store.ledger import Posting
from marketing.money import CENT, DEFAULT_CURRENCY
from marketing.observability import logger, metrics

PROGRAM = "loyalty"
REVERSAL_RETRIES = 5
DAYS_PER_MONTH = 30


def program() -> LoyaltyProgram:
    return programs.get(PROGRAM, LoyaltyProgram)


def update_program(patch: LoyaltyProgramPatch) -> LoyaltyProgram:
    # A null expiry_months means "never expire".
    return programs.update(PROGRAM, LoyaltyProgram, patch, nullable=frozenset({"expiry_months"}))


def points_for(total: Decimal, points_per_unit: Decimal) -> int:
    return int((total * points_per_unit).to_integral_value(rounding=ROUND_FLOOR))


def account(user_id: str) -> LoyaltyAccount:
    return store.account(user_id)


def transactions_page(user_id: str, limit: int | None, cursor: str | None) -> LoyaltyTransactionPage:
    start_key = pagination.decode_cursor(cursor, "loyalty-transactions", user=user_id)
    items, last_key = store.entries_page(user_id, pagination.page_size(limit), start_key)
    return LoyaltyTransactionPage(
        items=items, next=pagination.encode_cursor(last_key, "loyalty-transactions", user=user_id)
    )


def credit(
    user_id: str,
    key: str,
    points: int,
    reason: str,
    *,
    order_id: str | None = None,
    points_per_unit: Decimal | None = None,
) -> bool:
    """Earned points (an order's, a referral reward), once per key; False if posted before."""
    entry = store.entry(
        user_id,
        key,
        PointsType.EARNED,
        points,
        clock.utcnow(),
        order_id=order_id,
        reason=reason,
        points_per_unit=points_per_unit,
    )
    applied = store.post_entry(entry, activity=True, earned=True) is Posting.APPLIED
    if applied:
        metrics.add_metric(name="PointsAwarded", unit="Count", value=points)
    return applied


def award_for_order(user_id: str | None, order_id: str, total: Decimal) -> str:
    """`order.paid`: the points the order earns, once."""
    settings = program()
    if user_id is None or not settings.enabled:
        return "no points (guest order)" if user_id is None else "no points (loyalty program off)"
    points = points_for(total, settings.points_per_unit)
    if points <= 0:
        return "no points (order too small)"
    earned = credit(
        user_id,
        f"earned:{order_id}",
        points,
        f"order {order_id}",
        order_id=order_id,
        points_per_unit=settings.points_per_unit,
    )
    return f"{points} points awarded" if earned else "points already awarded"


def reverse_for_refund(order_id: str, refund_key: str, amount: Decimal, user_id: str | None) -> str:
    """`order.refunded`: takes back the refunded share of the order's points, once per refund.
    `user_id`: the account that paid, whose entries are read from the table itself (an index may
    not show points awarded a moment ago); None for an order counted before it was kept."""
    entries = store.entries_for_order(order_id, user_id)
    earned = next((item for item in entries if item.key == f"earned:{order_id}"), None)
    if earned is None:
        return "no points to reverse"
    reversed_before = sum(
        -int(item.points) + int(item.shortfall or 0) for item in entries if item.key.startswith("reversed:")
    )
    wanted = min(points_for(amount, earned.points_per_unit or Decimal(0)), int(earned.points) - reversed_before)
    if wanted <= 0:
        return "no points left to reverse"
    key = f"reversed:{order_id}:{refund_key}"
    for _ in range(REVERSAL_RETRIES):
        # Only what the balance holds now can be taken; a redemption racing this one makes the
        # posting's balance condition fail, and it is worked out again.
        taken = min(wanted, account(earned.user_id).balance)
        shortfall = wanted - taken
        reason = f"order {order_id} refunded ({refund_key}): {wanted} points reversed"
        if shortfall:
            reason += f", {shortfall} of them already spent"
        entry = store.entry(
            earned.user_id,
            key,
            PointsType.ADJUSTED,
            -taken,
            clock.utcnow(),
            order_id=order_id,
            reason=reason,
            shortfall=shortfall,
        )
        posting = store.post_entry(entry, activity=False)
        if posting is Posting.DUPLICATE:
            return "points already reversed"
        if posting is Posting.APPLIED:
            return f"{taken} points reversed" + (f" ({shortfall} already spent)" if shortfall else "")
    raise RuntimeError(f"points of order {order_id} could not be reversed: the balance kept changing")


def discount_for(points: int, redemption_rate: int) -> Decimal:
    return (Decimal(points) / Decimal(redemption_rate)).quantize(CENT, rounding=ROUND_DOWN)


def _post_once(entry: PointsEntry, key_field: str) -> LoyaltyTransaction:
    """Posts a customer's or staff's own change: 422 naming the balance if a deduction is more
    than it; for a key used before, the first entry (409 if that one was for other points)."""
    posting = store.post_entry(entry, activity=True)
    if posting is Posting.REFUSED:
        balance = account(entry.user_id).balance
        raise BusinessRuleViolation(
            f"not enough points: {-int(entry.points)} to take, {balance} available",
            [{"field": "points", "reason": f"more than the balance of {balance}"}],
        )
    if posting is Posting.APPLIED:
        return entry.transaction()
    recorded = store.find_entry(entry.user_id, entry.key)
    assert recorded is not None  # a duplicate's entry exists: that is what made it one
    if recorded.points != entry.points:
        raise Conflict(
            f"{key_field} was used for a change of {recorded.points} points",
            [{"field": key_field, "reason": "already used for other points"}],
        )
    return recorded


def redeem(user_id: str, request: RedeemPoints) -> PointsRedemption:
    settings = program()
    if not settings.enabled:
        raise BusinessRuleViolation("the loyalty program is off")
    if request.points < settings.min_redeem_points:
        raise ValidationFailed.field("points", f"at least {settings.min_redeem_points} points per redemption")
    discount = discount_for(request.points, settings.redemption_rate)
    if discount <= 0:
        raise ValidationFailed.field("points", f"worth less than {CENT} at {settings.redemption_rate} points per 1.00")
    entry = store.entry(
        user_id,
        # An order's key as before; a client's apart from every order's (no order id can equal it).
        f"redeemed:{request.order_id}"
        if request.order_id
        else f"redeemed-key:{request.idempotency_key or uuid.uuid4().hex}",
        PointsType.REDEEMED,
        -request.points,
        clock.utcnow(),
        order_id=request.order_id,
        reason=f"{discount} {DEFAULT_CURRENCY} discount",
    )
    recorded = _post_once(entry, "order_id" if request.order_id else "idempotency_key")
    return PointsRedemption(
        points=request.points,
        discount=discount,
        currency=DEFAULT_CURRENCY,
        balance=account(user_id).balance,
        transaction=recorded,
    )


def adjust(user_id: str, request: PointsAdjustment) -> AdjustedAccount:
    if request.points == 0:
        raise ValidationFailed.field("points", "must not be 0")
    key = f"adjusted:{request.idempotency_key or uuid.uuid4().hex}"
    entry = store.entry(user_id, key, PointsType.ADJUSTED, request.points, clock.utcnow(), reason=request.reason)
    recorded = _post_once(entry, "idempotency_key")
    return AdjustedAccount(account=account(user_id), transaction=recorded)


def expire_inactive(now: datetime) -> str:
    """The daily run: the points of accounts inactive for the program's expiry period expire."""
    settings = program()
    if settings.expiry_months is None:
        return "points never expire"
    cutoff = now - timedelta(days=DAYS_PER_MONTH * settings.expiry_months)
    expired = points = 0
    for inactive in store.inactive_accounts(cutoff):
        assert inactive.last_activity_at is not None
        entry = store.entry(
            inactive.user_id,
            f"expired:{inactive.last_activity_at.isoformat()}",
            PointsType.EXPIRED,
            -inactive.balance,
            now,
            reason=f"no activity since {inactive.last_activity_at:%Y-%m-%d}",
        )
        if store.post_entry(entry, activity=False, inactive_since=inactive.last_activity_at) is Posting.APPLIED:
            expired += 1
            points += inactive.balance
    logger.info("points expired", accounts=expired, points=points)
    return f"{points} points of {expired} inactive accounts expired"
