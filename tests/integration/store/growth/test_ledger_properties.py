"""Property tests of the ledger invariants (store/ledger.py), against moto: random sequences of
earning, redeeming, refunds, adjustments and expiry, checked after every step against a model of
what each should do. A balance is always the sum of its entries and never negative; a retried
posting changes nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketing import clock
from marketing.auth import Access, Principal
from marketing.errors import BusinessRuleViolation, Conflict
from marketing.growth.models.gift_cards import GiftCardCreate, GiftCardRedeem
from marketing.growth.models.loyalty import PointsAdjustment, RedeemPoints
from marketing.growth.models.programs import LoyaltyProgramPatch
from marketing.growth.services import gift_cards, loyalty
from marketing.growth.store import gift_cards as card_store
from marketing.growth.store import loyalty as points_store

RUNS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_accounts = itertools.count()
STAFF = Principal(Access.STAFF, "property-test")

orders = st.sampled_from(["o-1", "o-2", "o-3"])
points_steps = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), orders, st.integers(1, 500)),
        st.tuples(st.just("redeem"), st.integers(1, 400)),
        st.tuples(st.just("refund"), orders, st.integers(1, 600), st.sampled_from(["r-1", "r-2"])),
        st.tuples(st.just("adjust"), st.integers(-300, 300).filter(bool)),
        st.tuples(st.just("expire")),
    ),
    max_size=12,
)


def _points_invariants(user_id: str, expected: int) -> None:
    balance = points_store.account(user_id).balance
    assert balance == sum(entry.points for entry in points_store.all_entries(user_id))
    assert balance == expected
    assert balance >= 0


@RUNS
@given(steps=points_steps)
def test_points_balance_is_the_sum_of_its_entries_and_never_negative(aws, steps):
    loyalty.update_program(LoyaltyProgramPatch(min_redeem_points=1, points_per_unit=Decimal(1)))
    user_id = f"user-{next(_accounts)}"
    prefix = f"{user_id}:"  # order ids are global: each example uses its own
    balance = 0
    earned: dict[str, int] = {}
    reversed_points: dict[str, int] = {}
    refunds_seen: set[str] = set()
    for step in steps:
        kind = step[0]
        if kind == "earn":
            order, total = prefix + step[1], step[2]
            loyalty.award_for_order(user_id, order, Decimal(total))
            if order not in earned:
                earned[order] = total
                balance += total
        elif kind == "redeem":
            try:
                loyalty.redeem(user_id, RedeemPoints(points=step[1]))
                assert step[1] <= balance
                balance -= step[1]
            except BusinessRuleViolation:
                assert step[1] > balance
        elif kind == "refund":
            order, amount, refund = prefix + step[1], step[2], f"{prefix}{step[1]}:{step[3]}"
            # r-1: an order whose payer is kept; r-2: one counted before it was (found by the index).
            loyalty.reverse_for_refund(order, refund, Decimal(amount), user_id if step[3] == "r-1" else None)
            if order in earned and refund not in refunds_seen:
                refunds_seen.add(refund)
                wanted = max(0, min(amount, earned[order] - reversed_points.get(order, 0)))
                reversed_points[order] = reversed_points.get(order, 0) + wanted
                balance -= min(wanted, balance)
        elif kind == "adjust":
            try:
                loyalty.adjust(user_id, PointsAdjustment(points=step[1], reason="property test"))
                balance += step[1]
            except BusinessRuleViolation:
                assert -step[1] > balance
        else:
            loyalty.expire_inactive(clock.utcnow() + timedelta(days=10_000))
            balance = 0
        _points_invariants(user_id, balance)


card_steps = st.lists(
    st.one_of(
        st.tuples(st.just("redeem"), st.sampled_from(["o-1", "o-2", "o-3", "o-4"]), st.integers(1, 4000)),
        st.tuples(
            st.just("refund"),
            st.sampled_from(["o-1", "o-2", "o-3", "o-4"]),
            st.integers(1, 4000),
            st.sampled_from(["a", "b"]),
        ),
    ),
    max_size=12,
)


@RUNS
@given(initial=st.integers(100, 10_000), steps=card_steps)
def test_a_card_balance_is_the_sum_of_its_entries_between_zero_and_its_initial_amount(aws, initial, steps):
    card = gift_cards.create(GiftCardCreate(amount=Decimal(initial) / 100))
    prefix = f"{card.id}:"
    balance = Decimal(initial) / 100
    paid: dict[str, Decimal] = {}
    refunded: dict[str, Decimal] = {}
    refunds_seen: set[str] = set()
    for step in steps:
        order, cents = prefix + step[1], Decimal(step[2]) / 100
        if step[0] == "redeem":
            try:
                gift_cards.redeem(card.id, GiftCardRedeem(amount=cents, order_id=order), STAFF)
                if order not in paid:
                    assert cents <= balance
                    paid[order] = cents
                    balance -= cents
            except BusinessRuleViolation:
                assert order not in paid
                assert cents > balance
            except Conflict:  # the same order with another amount: nothing charged
                assert order in paid
                assert paid[order] != cents
        else:
            refund = f"{order}:{step[3]}"
            gift_cards.refund_for_order(order, refund, cents)
            if refund not in refunds_seen and order in paid:
                refunds_seen.add(refund)
                back = min(cents, paid[order] - refunded.get(order, Decimal(0)), card.initial_balance - balance)
                back = max(back, Decimal(0))
                refunded[order] = refunded.get(order, Decimal(0)) + back
                balance += back
        stored = card_store.get(card.id)
        assert stored.balance == sum(entry.amount for entry in card_store.entries(card.id))
        assert stored.balance == balance
        assert Decimal(0) <= stored.balance <= card.initial_balance
