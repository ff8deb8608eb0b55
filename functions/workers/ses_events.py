"""Worker: SES's delivery, bounce, complaint and reject events (suppression and analytics)."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.workers import message_of, sqs_batch_handler
from marketing.catalog.topology import SES_EVENTS
from marketing.email.models.ses_events import SesEvent
from marketing.email.services import ses_events

lambda_handler = sqs_batch_handler(
    SES_EVENTS, message_of(SesEvent), ses_events.handle, together=ses_events.handle_together
)

cold_start.finish()
