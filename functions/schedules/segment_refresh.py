"""Schedule (daily, 02:00 UTC): queues a refresh of every dynamic segment, one message each, so a
slow segment holds up no other."""

from __future__ import annotations

from typing import Any

from marketing import cold_start
from marketing.audience.services import segments
from marketing.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    queued = segments.request_all_dynamic()
    logger.info("dynamic segments queued for refresh", queued=queued)
    metrics.add_metric(name="SegmentRefreshesQueued", unit="Count", value=queued)
    return {"queued": queued}


cold_start.finish()
