"""The API's OpenAPI document, written to a file without starting anything: the console's build
generates its API client's types from it, so a field the API changes breaks the console's build
rather than a marketer's session.

The API function is imported as it deploys; it reads its settings and table names from the
environment at import, so placeholders stand in for them (the document names no resource).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from marketing.catalog.tables import TABLES, bind_tables
from marketing_local.config import REGION, REPO_ROOT

PLACEHOLDER_ENVIRONMENT = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "TOKEN_SECRET_NAME": "openapi-export",
    "PUBLIC_BASE_URL": "http://127.0.0.1/api/v1/marketing",
    "SENDER_ADDRESS": "news@example.com",
    "CAMPAIGN_SCHEDULE_GROUP": "openapi-export",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/openapi-export",
    "CAMPAIGN_SENDS_QUEUE_ARN": "arn:aws:sqs:eu-west-2:123456789012:openapi-export",
    **dict.fromkeys(TABLES.values(), "openapi-export"),
}


def write_document(path: Path) -> None:
    """Writes the document to `path` (only if it changed, so a build that watches it stays put)."""
    for name, value in PLACEHOLDER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    bind_tables(os.environ, REGION)  # the models were loaded (by TABLES) before the names were set
    sys.path[:0] = [str(REPO_ROOT / "functions")]
    from api import docs
    from api.app import app

    document = docs.build_document(app) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != document:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
