"""Schedule (daily, 03:00 UTC): the points of loyalty accounts inactive for the program's expiry period expire."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.schedules import daily_handler
from marketing.growth.services import loyalty

lambda_handler = daily_handler(loyalty.expire_inactive)

cold_start.finish()
