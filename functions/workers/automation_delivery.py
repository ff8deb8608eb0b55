"""Worker: one automation email at a time, handed over by the state machine (or handed back)."""

from __future__ import annotations

from marketing import cold_start
from marketing.automations.services import automation_delivery
from marketing.aws.workers import sqs_batch_handler
from marketing.catalog.topology import AUTOMATION_SENDS

lambda_handler = sqs_batch_handler(AUTOMATION_SENDS, automation_delivery.parse, automation_delivery.handle)

cold_start.finish()
