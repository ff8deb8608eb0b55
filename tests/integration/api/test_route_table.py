from __future__ import annotations

import importlib
import re

from marketing.api_routes import ROUTES


def test_the_function_serves_exactly_the_route_table(api_handler):
    """CDK deploys one API Gateway route per table entry: each must exist in the function, and the
    function must serve nothing the table (and so API Gateway) does not expose."""
    app = importlib.import_module("api.app").app
    served = app._static_routes + app._dynamic_routes
    for route in ROUTES:
        probe = re.sub(r"\{\w+\}", "x", route.path)
        assert any(r.method == route.method and r.rule.match(probe) for r in served), route
    assert len(served) == len(ROUTES)
