"""The HTTP API function: one Powertools resolver behind every route of the API.

Routes are thin: parse, call a service, return a model. Errors map to HTTP in api/errors.py,
and the caller's kind is checked against the route table in api/access.py. Each resource's router
is included on the first request for it (api/routers.py).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from api import docs, errors, limits, routers
from api.access import enforce_route_access
from api.settings import ApiSettings
from marketing import cold_start
from marketing.catalog.api_routes import BASE_PATH, route_for_key, with_canonical_path
from marketing.config import load_settings
from marketing.observability import logger, metrics, tracer

load_settings(ApiSettings)

app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=[BASE_PATH])
app.use(middlewares=[enforce_route_access])
errors.register(app)
docs.register(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)  # responses carry personal data
@metrics.log_metrics
def lambda_handler(event: dict, context: object) -> dict:
    refused = limits.refused(event)
    if refused:
        return refused
    routers.include_for(app, route_for_key(event.get("routeKey", "")))
    return app.resolve(with_canonical_path(event), context)


cold_start.finish()
