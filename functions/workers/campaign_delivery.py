"""Worker: renders and sends each batch of campaign recipients through SES, exactly once per recipient."""

from __future__ import annotations

from marketing.services import delivery
from marketing.store.tables import bind_tables_at_cold_start
from marketing.topology import CAMPAIGN_DELIVERIES
from marketing.workers import sqs_batch_handler

bind_tables_at_cold_start()
lambda_handler = sqs_batch_handler(CAMPAIGN_DELIVERIES, delivery.deliver)
