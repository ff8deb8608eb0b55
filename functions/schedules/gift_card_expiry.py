"""Schedule (daily, 04:00 UTC): gift cards past their expiry are marked expired."""

from __future__ import annotations

from marketing.schedules import daily_handler
from marketing.services import gift_cards
from marketing.store.table_meta import require_table_names

require_table_names()

lambda_handler = daily_handler(gift_cards.expire_due)
