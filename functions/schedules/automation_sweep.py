"""Schedule (every 15 minutes): resumes or reports stuck automation runs and counts who waits where."""

from __future__ import annotations

from typing import Any

from marketing import cold_start
from marketing.automations.services import automation_sweep
from marketing.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    found = automation_sweep.sweep()
    logger.info("automation runs swept", **found)
    return found


cold_start.finish()
