"""Worker: SES's delivery, bounce, complaint and reject events (suppression and analytics)."""

from __future__ import annotations

from marketing import cold_start
from marketing.services import ses_events
from marketing.topology import SES_EVENTS
from marketing.workers import sqs_batch_handler

lambda_handler = sqs_batch_handler(SES_EVENTS, ses_events.handle)

cold_start.finish()
