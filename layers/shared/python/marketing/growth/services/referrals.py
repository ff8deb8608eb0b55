"""Referral rules.

- A customer's code is made on their first `GET referrals/my-code/` and is the same ever after.
- A signed-in customer applies a friend's code once (`POST referrals/`): not their own (same
  user or same email), only as a new customer (no paid order yet), one referral per customer
  ever. The referral is pending until the program's `expiry_days` pass.
- The referee's first paid order at or above `min_purchase_amount` while pending completes it
  (once: the completion is a conditional write).
- The daily run (01:00 UTC) issues both rewards of each completed referral once: points through
  the loyalty ledger (idempotency key per referral and side), discounts as single-use codes
  recorded on the referral; it also expires pending referrals past their expiry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from marketing import clock, pagination
from marketing.audience.store import contacts as contact_store
from marketing.auth import Principal
from marketing.errors import BusinessRuleViolation, NotFound
from marketing.growth import codes
from marketing.growth.models.programs import ReferralProgram, ReferralProgramPatch, Reward, RewardType
from marketing.growth.models.referrals import (
    ApplyReferral,
    IssuedReward,
    MyReferralCode,
    Referral,
    ReferralAsReferee,
    ReferralAsReferrer,
    ReferralPage,
    ReferralStatus,
)
from marketing.growth.services import loyalty, programs
from marketing.growth.store import referrals as store
from marketing.ids import new_id
from marketing.observability import logger

PROGRAM = "referral"
CODE_PREFIX = "REF"
CODE_ATTEMPTS = 3
LISTED_REFERRALS = 50


def program() -> ReferralProgram:
    return programs.get(PROGRAM, ReferralProgram)


def update_program(patch: ReferralProgramPatch) -> ReferralProgram:
    return programs.update(PROGRAM, ReferralProgram, patch)


def my_code(principal: Principal) -> MyReferralCode:
    record = store.code_of(principal.id)
    for _ in range(CODE_ATTEMPTS):
        if record is not None:
            break
        store.create_code(principal.id, principal.email, codes.random_code(13, CODE_PREFIX), clock.utcnow())
        record = store.code_of(principal.id)  # ours, or the one a concurrent first call made
    if record is None:
        raise RuntimeError("could not make a referral code")
    return MyReferralCode(
        code=record.code,
        created_at=record.created_at,
        referrals=[ReferralAsReferrer.of(made) for made in store.of_referrer(principal.id, LISTED_REFERRALS)],
        referred_by=ReferralAsReferee.of(applied) if (applied := store.of_referee(principal.id)) else None,
    )


def _refuse(reason: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(reason, [{"field": "code", "reason": reason}])


def apply(principal: Principal, request: ApplyReferral) -> ReferralAsReferee:
    settings = program()
    if not settings.enabled:
        raise BusinessRuleViolation("the referral program is off")
    owner = store.owner_of(request.code)
    if owner is None:
        raise NotFound("no customer has this referral code")
    if not principal.email_verified:
        # Whether the customer is new is told by their address's orders: an address anyone may
        # write in an unverified claim (a fresh one, for a customer who has ordered) tells nothing.
        raise _refuse("verify your email address with the shop first: referral codes are for new customers")
    same_email = bool(principal.email and owner.email and principal.email.lower() == owner.email.lower())
    if owner.user_id == principal.id or same_email:
        raise _refuse("a customer cannot refer themselves")
    contact = contact_store.find_by_email(principal.email) if principal.email else None
    if contact is not None and contact.order_count > 0:
        raise _refuse("referral codes are for new customers: this account has ordered before")
    if store.of_referee(principal.id) is not None:
        raise _refuse("a referral code was applied to this account already")
    now = clock.utcnow()
    referral = Referral(
        id=new_id("ref"),
        code=owner.code,
        referrer_user_id=owner.user_id,
        referee_user_id=principal.id,
        referee_email=principal.email,
        status=ReferralStatus.PENDING,
        created_at=now,
        expires_at=now + timedelta(days=settings.expiry_days),
    )
    return ReferralAsReferee.of(store.create(referral))


def list_page(status: ReferralStatus | None, limit: int | None, cursor: str | None) -> ReferralPage:
    start_key = pagination.decode_cursor(cursor, "referrals", status=status)
    items, last_key = store.list_page(status, pagination.page_size(limit), start_key)
    return ReferralPage(items=items, next=pagination.encode_cursor(last_key, "referrals", status=status))


def complete_for_order(user_id: str | None, order_id: str, total: Decimal) -> str:
    """`order.paid`: the referee's qualifying order completes their pending referral."""
    if user_id is None:
        return "no referral (guest order)"
    referral = store.of_referee(user_id)
    if referral is None or referral.status is not ReferralStatus.PENDING:
        return "no pending referral"
    minimum = program().min_purchase_amount
    if total < minimum:
        return f"referral still pending: order below the {minimum:.2f} minimum"
    if not store.complete(user_id, order_id, clock.utcnow()):
        return "no pending referral"
    return f"referral {referral.id} completed"


def _issue(referral: Referral, side: str, reward: Reward, now: datetime) -> None:
    """Issues one side's reward once: the points posting and the recorded reward are each once-only,
    so a run that stops between them finishes the job the next time without doing it twice."""
    if getattr(referral, f"{side}_reward") is not None:
        return
    user_id = referral.referrer_user_id if side == "referrer" else referral.referee_user_id
    discount_code = None
    if reward.type is RewardType.POINTS:
        loyalty.credit(user_id, f"referral:{referral.id}:{side}", int(reward.value), f"referral reward ({side})")
    else:
        discount_code = codes.random_code(12, "REWARD")
    store.record_reward(
        referral.referee_user_id,
        side,
        IssuedReward(type=reward.type, value=reward.value, discount_code=discount_code, issued_at=now),
    )


def issue_rewards(now: datetime) -> str:
    """The daily run: rewards of completed referrals, and expiry of pending ones."""
    settings = program()
    rewarded = 0
    for referee_user_id in list(store.rewards_due()):
        referral = store.of_referee(referee_user_id)
        if referral is None or referral.rewards_issued_at is not None:
            continue
        _issue(referral, "referrer", settings.referrer_reward, now)
        _issue(referral, "referee", settings.referee_reward, now)
        store.rewards_issued(referee_user_id, now)
        rewarded += 1
    expired = store.expire_pending(now)
    logger.info("referral rewards issued", rewarded=rewarded, expired=expired)
    return f"{rewarded} referral(s) rewarded, {expired} pending referral(s) expired"
