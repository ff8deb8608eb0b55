"""Schedule (daily, 04:00 UTC): gift cards past their expiry are marked expired."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.schedules import daily_handler
from marketing.growth.services import gift_cards

lambda_handler = daily_handler(gift_cards.expire_due)

cold_start.finish()
