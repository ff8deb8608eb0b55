"""The reputation guard: a campaign whose own bounce or complaint rate crosses the alarm
thresholds pauses itself, before it can take the account's SES reputation down with it.

SES reviews an account at a 5% bounce or 0.1% complaint rate; the guard acts at 2% and 0.08% of
the campaign's sent emails, once at least `REPUTATION_MIN_SAMPLE` (default 200) were sent, so a
few early bounces of a small send do not stop it. The pause is a status (`paused`, with the
reason), a metric the operator's alarm watches, and a warning in the log; deliveries already
queued are held, not dropped, and `POST campaigns/{id}/resume/` sends on: a campaign resumed from
the guard's pause is not paused by the guard again (staff saw the warning and chose to go on; the
account-level alarms still watch). Resuming a staff pause leaves the guard armed.
"""

from __future__ import annotations

import os

from marketing import clock
from marketing.campaigns.models.campaigns import CampaignStatus
from marketing.campaigns.models.mailings import MailingKind, MailingRef
from marketing.campaigns.store import campaigns as store
from marketing.errors import Conflict, NotFound
from marketing.observability import logger, metrics

BOUNCE_RATE_LIMIT = 0.02
COMPLAINT_RATE_LIMIT = 0.0008
DEFAULT_MIN_SAMPLE = 200


def _min_sample() -> int:
    return int(os.environ.get("REPUTATION_MIN_SAMPLE", DEFAULT_MIN_SAMPLE))


def check(mailing: MailingRef) -> str | None:
    """After a bounce or complaint of one of the mailing's emails: pauses the campaign if its
    rates crossed a limit; returns the reason it was paused, or None."""
    if mailing.kind is not MailingKind.CAMPAIGN:
        return None  # automation emails trickle one at a time; the account-level alarms cover them
    campaign_id = mailing.id
    try:
        campaign = store.record(campaign_id)
    except NotFound:
        return None
    sent = int(campaign.sent or 0)
    if campaign.status != CampaignStatus.SENDING.value or campaign.guard_overridden or sent < _min_sample():
        return None
    bounce_rate, complaint_rate = int(campaign.bounced or 0) / sent, int(campaign.complained or 0) / sent
    if bounce_rate >= BOUNCE_RATE_LIMIT:
        reason = f"bounce rate {bounce_rate:.2%} of {sent} sent reached the {BOUNCE_RATE_LIMIT:.0%} limit"
    elif complaint_rate >= COMPLAINT_RATE_LIMIT:
        reason = f"complaint rate {complaint_rate:.3%} of {sent} sent reached the {COMPLAINT_RATE_LIMIT:.2%} limit"
    else:
        return None
    try:
        store.transition(
            campaign_id,
            {CampaignStatus.SENDING},
            CampaignStatus.PAUSED,
            {"paused_reason": reason, "paused_by_guard": True},  # so that its resume, and only its, overrides
            clock.utcnow(),
        )
    except Conflict:
        return None  # paused, cancelled or finished by someone else meanwhile
    metrics.add_metric(name="CampaignsPausedForReputation", unit="Count", value=1)
    logger.warning("campaign paused by the reputation guard", campaign_id=campaign_id, reason=reason)
    return reason
