"""Worker: starts campaign sends (from the API or a schedule) and expands each segment into delivery batches."""

from __future__ import annotations

from marketing.services import campaign_sends
from marketing.store.tables import bind_tables_at_cold_start
from marketing.topology import CAMPAIGN_SENDS
from marketing.workers import sqs_batch_handler

bind_tables_at_cold_start()
lambda_handler = sqs_batch_handler(CAMPAIGN_SENDS, campaign_sends.handle)
