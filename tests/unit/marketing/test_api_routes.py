from __future__ import annotations

import importlib
import re

from moto import mock_aws

from marketing.api_routes import BASE_PATH, ROUTES, match, with_canonical_path


def test_the_function_serves_exactly_the_route_table():
    """CDK deploys one API Gateway route per table entry: each must exist in the function, and the
    function must serve nothing the table (and so API Gateway) does not expose."""
    with mock_aws():
        app = importlib.import_module("api.app").app
    served = app._static_routes + app._dynamic_routes
    for route in ROUTES:
        probe = re.sub(r"\{\w+\}", "x", route.path)
        assert any(r.method == route.method and r.rule.match(probe) for r in served), route
    assert len(served) == len(ROUTES)


def test_match_accepts_the_path_with_and_without_trailing_slash():
    route, params = match("GET", f"{BASE_PATH}/templates/tpl_1/")
    assert route.path == "/templates/{template_id}/"
    assert params == {"template_id": "tpl_1"}
    assert match("GET", f"{BASE_PATH}/templates/tpl_1")[0] is route
    assert match("PUT", f"{BASE_PATH}/templates/tpl_1/") is None
    assert match("GET", f"{BASE_PATH}/templates/tpl_1/extra/") is None


def test_gateway_route_keys_never_end_in_a_slash():
    for route in ROUTES:
        assert not route.gateway_path.endswith("/")
    assert len({route.route_key for route in ROUTES}) == len(ROUTES)


def test_canonical_path_restores_the_specs_trailing_slash():
    route, _ = match("GET", f"{BASE_PATH}/templates")
    event = with_canonical_path({"routeKey": route.route_key, "rawPath": f"{BASE_PATH}/templates"})
    assert event["rawPath"] == f"{BASE_PATH}/templates/"
    docs, _ = match("GET", f"{BASE_PATH}/openapi.json")
    event = with_canonical_path({"routeKey": docs.route_key, "rawPath": f"{BASE_PATH}/openapi.json"})
    assert event["rawPath"] == f"{BASE_PATH}/openapi.json"
