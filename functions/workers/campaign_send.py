"""Worker: starts campaign sends (from the API or a schedule) and expands each segment into delivery batches."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.workers import message_of, sqs_batch_handler
from marketing.campaigns.models.campaigns import SendRequest
from marketing.campaigns.services import campaign_sends
from marketing.catalog.topology import CAMPAIGN_SENDS

lambda_handler = sqs_batch_handler(CAMPAIGN_SENDS, message_of(SendRequest), campaign_sends.handle)

cold_start.finish()
