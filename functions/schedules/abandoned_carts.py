"""Schedule (every 15 minutes): carts idle past the threshold start the abandoned-cart automations."""

from __future__ import annotations

from typing import Any

from marketing import cold_start
from marketing.automations.services import carts
from marketing.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    found = carts.find_abandoned()
    logger.info("idle carts looked at", **found)
    metrics.add_metric(name="CartsAbandoned", unit="Count", value=found["abandoned"])
    return found


cold_start.finish()
