from __future__ import annotations

from marketing.catalog.api_routes import BASE_PATH, ROUTES, match, with_canonical_path


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
