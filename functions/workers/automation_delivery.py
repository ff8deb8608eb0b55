"""Worker: one automation email at a time, handed over by the state machine (or handed back)."""

from __future__ import annotations

from marketing.services import automation_delivery
from marketing.store.tables import bind_tables_at_cold_start
from marketing.topology import AUTOMATION_SENDS
from marketing.workers import sqs_batch_handler

bind_tables_at_cold_start()
lambda_handler = sqs_batch_handler(AUTOMATION_SENDS, automation_delivery.handle)
