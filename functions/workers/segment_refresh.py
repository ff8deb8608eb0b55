"""Worker: refreshes one segment per message (queued by the API and by the daily schedule)."""

from __future__ import annotations

import json

from marketing import cold_start
from marketing.audience.services import segments
from marketing.aws.workers import sqs_batch_handler
from marketing.catalog.topology import SEGMENT_REFRESH
from marketing.errors import Unprocessable


def _refresh(body: str) -> str:
    try:
        segment_id = json.loads(body)["segment_id"]
    except (ValueError, KeyError, TypeError) as error:
        raise Unprocessable(f'expected {{"segment_id": "..."}}: {error}') from error
    return segments.refresh(segment_id)


lambda_handler = sqs_batch_handler(SEGMENT_REFRESH, _refresh)

cold_start.finish()
