"""How a daily schedule function runs (EventBridge rule → Lambda), kept apart from the SQS
workers' module so a schedule does not import Powertools' batch utilities at cold start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from marketing import clock
from marketing.observability import logger, metrics


def daily_handler(run: Callable[[datetime], str]) -> Callable[[dict[str, Any], Any], dict[str, str]]:
    """A Lambda handler for a daily schedule that calls `run(now)` and logs what it did. Each run
    is idempotent, so EventBridge's retries of a failed invocation do nothing twice."""

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        outcome = run(clock.utcnow())
        logger.info(outcome)
        return {"result": outcome}

    return lambda_handler
