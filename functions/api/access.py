"""Middleware: the caller must be of the kind the route is for (behind API Gateway's own check)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from marketing.auth import principal_from_request_context, require_access
from marketing.catalog.api_routes import route_for_key
from marketing.errors import NotFound


def enforce_route_access(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    route = route_for_key(app.current_event.raw_event.get("routeKey", ""))
    if route is None:
        raise NotFound("no such route")
    principal = principal_from_request_context(app.current_event.raw_event.get("requestContext") or {})
    require_access(principal, route.access)
    app.append_context(principal=principal)
    return next_middleware(app)
