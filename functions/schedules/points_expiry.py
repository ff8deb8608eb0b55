"""Schedule (daily, 03:00 UTC): the points of loyalty accounts inactive for the program's expiry period expire."""

from __future__ import annotations

from marketing.schedules import daily_handler
from marketing.services import loyalty
from marketing.store.table_meta import require_table_names

require_table_names()

lambda_handler = daily_handler(loyalty.expire_inactive)
