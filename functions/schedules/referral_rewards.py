"""Schedule (daily, 01:00 UTC): the rewards of completed referrals, once; pending referrals past their expiry expire."""

from __future__ import annotations

from marketing.schedules import daily_handler
from marketing.services import referrals
from marketing.store.table_meta import require_table_names

require_table_names()

lambda_handler = daily_handler(referrals.issue_rewards)
