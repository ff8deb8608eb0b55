"""Worker: the shop's events routed to the audience (contacts, subscribers, order statistics)."""

from __future__ import annotations

from marketing import cold_start
from marketing.audience.services import shop_events
from marketing.aws.workers import sqs_batch_handler
from marketing.catalog.topology import SHOP_EVENTS

lambda_handler = sqs_batch_handler(SHOP_EVENTS, shop_events.parse, shop_events.handle)

cold_start.finish()
