"""Worker: contact imports, one chunk per message (an upload notification starts the first)."""

from __future__ import annotations

from marketing.services import imports
from marketing.store.table_meta import require_table_names
from marketing.topology import CONTACT_IMPORTS
from marketing.workers import sqs_batch_handler

require_table_names()

lambda_handler = sqs_batch_handler(CONTACT_IMPORTS, imports.handle_message)
