"""Worker: first opens from the tracking pixel, recorded in batches."""

from __future__ import annotations

from marketing import cold_start
from marketing.aws.workers import message_of, sqs_batch_handler
from marketing.catalog.topology import OPENS
from marketing.email.models.opens import FirstOpen
from marketing.email.services import opens

lambda_handler = sqs_batch_handler(OPENS, message_of(FirstOpen), opens.handle, together=opens.handle_together)

cold_start.finish()
