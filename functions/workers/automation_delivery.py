"""Worker: one automation email at a time, handed over by the state machine (or handed back)."""

from __future__ import annotations

from marketing import cold_start
from marketing.services import automation_delivery
from marketing.topology import AUTOMATION_SENDS
from marketing.workers import sqs_batch_handler

lambda_handler = sqs_batch_handler(AUTOMATION_SENDS, automation_delivery.handle)

cold_start.finish()
