"""The HTTP API function: one Powertools resolver behind every route of the API.

Routes are thin: parse, call a service, return a model. Errors map to HTTP in api/errors.py,
and the caller's kind is checked against the route table in api/access.py.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from api import docs, errors, limits
from api.access import enforce_route_access
from api.routes import (
    analytics,
    automations,
    campaigns,
    contacts,
    gift_cards,
    loyalty,
    me,
    public,
    referrals,
    segments,
    subscribers,
    templates,
)
from marketing.api_routes import BASE_PATH, with_canonical_path
from marketing.config import ApiSettings, load_settings
from marketing.observability import logger, metrics, tracer
from marketing.store.tables import bind_tables

settings = load_settings(ApiSettings)
bind_tables(os.environ, settings.region)

app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=[BASE_PATH])
app.use(middlewares=[enforce_route_access])
errors.register(app)
app.include_router(templates.router)
app.include_router(contacts.router)
app.include_router(segments.router)
app.include_router(subscribers.router)
app.include_router(campaigns.router)
app.include_router(automations.router)
app.include_router(analytics.router)
app.include_router(loyalty.router)
app.include_router(referrals.router)
app.include_router(gift_cards.router)
app.include_router(public.router)
app.include_router(me.router)
docs.register(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: object) -> dict:
    return limits.refused(event) or app.resolve(with_canonical_path(event), context)
