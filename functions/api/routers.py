"""The API's routers, one per resource, each imported and included on the first request for it.

A request needs the router of its resource, and through it that resource's models and services.
Importing all twelve at cold start was about two thirds of what the API function added to a bare
handler's cold start; now a container pays only for the resources it serves (decision 48). The
documentation routes include them all.
"""

from __future__ import annotations

import importlib

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from marketing.api_routes import ApiRoute
from marketing.store.table_meta import require_table_names

# First segment of a route's path -> the module under api.routes whose router serves it. A router
# serves whole first segments, so routers included in any order never shadow each other's routes.
ROUTER_MODULES: dict[str, str] = {
    "templates": "templates",
    "contacts": "contacts",
    "segments": "segments",
    "subscribers": "subscribers",
    "campaigns": "campaigns",
    "automations": "automations",
    "analytics": "analytics",
    "loyalty": "loyalty",
    "referrals": "referrals",
    "gift-cards": "gift_cards",
    "track": "public",
    "unsubscribe": "public",
    "preferences": "public",
    "me": "me",
}

_included: set[str] = set()


def module_for(route: ApiRoute) -> str | None:
    """The router module serving `route`; None for the routes the app itself serves (docs)."""
    return ROUTER_MODULES.get(route.path.split("/")[1])


def include(app: APIGatewayHttpResolver, module: str) -> None:
    if module not in _included:
        app.include_router(importlib.import_module(f"api.routes.{module}").router)
        require_table_names()  # of the stores the router brought in
        _included.add(module)


def include_for(app: APIGatewayHttpResolver, route: ApiRoute | None) -> None:
    """Includes the router serving `route`, if it is not included yet."""
    module = module_for(route) if route is not None else None
    if module is not None:
        include(app, module)


def include_all(app: APIGatewayHttpResolver) -> None:
    for module in dict.fromkeys(ROUTER_MODULES.values()):
        include(app, module)
