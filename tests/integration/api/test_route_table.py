from __future__ import annotations

import importlib
import re

from api import routers
from marketing.catalog.api_routes import ROUTES


def test_the_function_serves_exactly_the_route_table(api_handler):
    """CDK deploys one API Gateway route per table entry: each must exist in the function, and the
    function must serve nothing the table (and so API Gateway) does not expose."""
    app = importlib.import_module("api.app").app
    routers.include_all(app)
    served = app._static_routes + app._dynamic_routes
    for route in ROUTES:
        probe = re.sub(r"\{\w+\}", "x", route.path)
        assert any(r.method == route.method and r.rule.match(probe) for r in served), route
    assert len(served) == len(ROUTES)


def test_a_request_includes_the_router_that_serves_its_route():
    """Routers are included on a resource's first request: the one included must be the one
    serving the route (the app itself serves only the documentation)."""
    for route in ROUTES:
        module = route.router
        if module is None:
            assert route.path in {"/openapi.json", "/docs"}, route
            continue
        router = importlib.import_module(f"api.routes.{module}").router
        rule = re.sub(r"\{(\w+)\}", r"<\1>", route.path)
        assert any(key[0] == rule and route.method in key[1] for key in router._routes), route
