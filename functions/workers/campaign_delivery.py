"""Worker: renders and sends each batch of campaign recipients through SES, exactly once per recipient."""

from __future__ import annotations

from marketing.services import campaign_delivery
from marketing.store.table_meta import require_table_names
from marketing.topology import CAMPAIGN_DELIVERIES
from marketing.workers import sqs_batch_handler

require_table_names()
lambda_handler = sqs_batch_handler(CAMPAIGN_DELIVERIES, campaign_delivery.deliver)
