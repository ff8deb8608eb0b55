"""Schedule (daily, 04:00 UTC): gift cards past their expiry are marked expired."""

from __future__ import annotations

from marketing.schedules import daily_handler
from marketing.services import gift_cards
from marketing.store.tables import bind_tables_at_cold_start

bind_tables_at_cold_start()

lambda_handler = daily_handler(gift_cards.expire_due)
