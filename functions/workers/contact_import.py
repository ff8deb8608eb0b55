"""Worker: contact imports, one chunk per message (an upload notification starts the first)."""

from __future__ import annotations

import os

from marketing.config import BaseSettings, load_settings
from marketing.services import imports
from marketing.store.tables import bind_tables
from marketing.topology import CONTACT_IMPORTS
from marketing.workers import sqs_batch_handler

settings = load_settings(BaseSettings)
bind_tables(os.environ, settings.region)

lambda_handler = sqs_batch_handler(CONTACT_IMPORTS, imports.handle_message)
