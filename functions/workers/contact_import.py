"""Worker: contact imports, one chunk per message (an upload notification starts the first)."""

from __future__ import annotations

from marketing.services import imports
from marketing.store.tables import bind_tables_at_cold_start
from marketing.topology import CONTACT_IMPORTS
from marketing.workers import sqs_batch_handler

bind_tables_at_cold_start()

lambda_handler = sqs_batch_handler(CONTACT_IMPORTS, imports.handle_message)
