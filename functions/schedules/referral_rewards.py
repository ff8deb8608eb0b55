"""Schedule (daily, 01:00 UTC): the rewards of completed referrals, once; pending referrals past their expiry expire."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.schedules import daily_handler
from marketing.growth.services import referrals

lambda_handler = daily_handler(referrals.issue_rewards)

cold_start.finish()
