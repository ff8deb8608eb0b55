"""Worker: the shop's events routed to the audience (contacts, subscribers, order statistics)."""

from __future__ import annotations

from marketing.services import shop_events
from marketing.store.table_meta import require_table_names
from marketing.topology import SHOP_EVENTS
from marketing.workers import sqs_batch_handler

require_table_names()

lambda_handler = sqs_batch_handler(SHOP_EVENTS, shop_events.handle)
