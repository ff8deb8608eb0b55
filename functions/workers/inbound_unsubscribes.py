"""Worker: emails to the List-Unsubscribe mailto, stored by SES (or POST /local/inbound)."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.workers import sqs_batch_handler
from marketing.catalog.topology import INBOUND_UNSUBSCRIBES
from marketing.email.services import inbound_unsubscribes

lambda_handler = sqs_batch_handler(INBOUND_UNSUBSCRIBES, inbound_unsubscribes.parse, inbound_unsubscribes.handle)

cold_start.finish()
