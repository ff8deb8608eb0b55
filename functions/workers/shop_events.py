"""Worker: the shop's events routed to the audience (contacts, subscribers, order statistics)."""

from __future__ import annotations

from marketing import cold_start
from marketing.services import shop_events
from marketing.topology import SHOP_EVENTS
from marketing.workers import sqs_batch_handler

lambda_handler = sqs_batch_handler(SHOP_EVENTS, shop_events.handle)

cold_start.finish()
