"""Worker: segment refreshes (queued by the API and by the daily schedule), and the parts of their
scans that they hand out on the same queue."""

from __future__ import annotations

from marketing import cold_start
from marketing.audience.models.segments import RefreshRequest
from marketing.audience.services import segments
from marketing.aws.workers import message_of, sqs_batch_handler
from marketing.catalog.topology import SEGMENT_REFRESH
from marketing.clock import Deadline


def _refresh(request: RefreshRequest, deadline: Deadline) -> str:
    if request.part is None:
        return segments.refresh(request.segment_id)
    return segments.evaluate_part(request.segment_id, request.part, deadline)


lambda_handler = sqs_batch_handler(SEGMENT_REFRESH, message_of(RefreshRequest), _refresh)

cold_start.finish()
