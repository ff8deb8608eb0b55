"""Schedule (daily, 01:00 UTC): the rewards of completed referrals, once; pending referrals past their expiry expire."""

from __future__ import annotations

from marketing.schedules import daily_handler
from marketing.services import referrals
from marketing.store.tables import bind_tables_at_cold_start

bind_tables_at_cold_start()

lambda_handler = daily_handler(referrals.issue_rewards)
