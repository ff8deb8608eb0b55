"""Worker: SES's delivery, bounce, complaint and reject events (suppression and analytics)."""

from __future__ import annotations

from marketing.services import ses_events
from marketing.store.table_meta import require_table_names
from marketing.topology import SES_EVENTS
from marketing.workers import sqs_batch_handler

require_table_names()
lambda_handler = sqs_batch_handler(SES_EVENTS, ses_events.handle)
