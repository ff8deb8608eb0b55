"""Worker: the shop's events routed to the audience (contacts, subscribers, order statistics)."""

from __future__ import annotations

import os

from marketing.config import BaseSettings, load_settings
from marketing.services import shop_events
from marketing.store.tables import bind_tables
from marketing.topology import SHOP_EVENTS
from marketing.workers import sqs_batch_handler

settings = load_settings(BaseSettings)
bind_tables(os.environ, settings.region)

lambda_handler = sqs_batch_handler(SHOP_EVENTS, shop_events.handle)
