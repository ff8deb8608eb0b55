"""The API's routers, one per resource (the route table names each route's: ApiRoute.router), each
imported and included on the first request for it.

A request needs the router of its resource, and through it that resource's models and services.
Importing all twelve at cold start was about two thirds of what the API function added to a bare
handler's cold start; now a container pays only for the resources it serves (decision 48). The
documentation routes include them all.
"""

from __future__ import annotations

import importlib

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from marketing.catalog.api_routes import ROUTER_OF_RESOURCE, ApiRoute
from marketing.store.table_meta import require_table_names

_included: set[str] = set()


def include(app: APIGatewayHttpResolver, module: str) -> None:
    if module not in _included:
        app.include_router(importlib.import_module(f"api.routes.{module}").router)
        require_table_names()  # of the stores the router brought in
        _included.add(module)


def include_for(app: APIGatewayHttpResolver, route: ApiRoute | None) -> None:
    """Includes the router serving `route`, if it is not included yet."""
    if route is not None and route.router is not None:
        include(app, route.router)


def include_all(app: APIGatewayHttpResolver) -> None:
    for module in dict.fromkeys(ROUTER_OF_RESOURCE.values()):
        include(app, module)
