"""Worker: contact imports, one chunk per message (an upload notification starts the first)."""

from __future__ import annotations

from marketing import cold_start
from marketing.audience.services import imports
from marketing.aws.workers import sqs_batch_handler
from marketing.catalog.topology import CONTACT_IMPORTS

lambda_handler = sqs_batch_handler(CONTACT_IMPORTS, imports.parse, imports.handle)

cold_start.finish()
