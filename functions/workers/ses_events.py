"""Worker: SES's delivery, bounce, complaint and reject events (suppression and analytics)."""

from __future__ import annotations

from marketing.services import ses_events
from marketing.store.tables import bind_tables_at_cold_start
from marketing.topology import SES_EVENTS
from marketing.workers import sqs_batch_handler

bind_tables_at_cold_start()
lambda_handler = sqs_batch_handler(SES_EVENTS, ses_events.handle)
