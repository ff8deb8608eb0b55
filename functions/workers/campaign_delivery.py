"""Worker: renders and sends each batch of campaign recipients through SES, exactly once per recipient."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.workers import message_of, sqs_batch_handler
from marketing.campaigns.models.campaigns import DeliveryBatch
from marketing.campaigns.services import campaign_delivery
from marketing.catalog.topology import CAMPAIGN_DELIVERIES

lambda_handler = sqs_batch_handler(CAMPAIGN_DELIVERIES, message_of(DeliveryBatch), campaign_delivery.deliver)

cold_start.finish()
