"""The OpenAPI document describes the errors the API really answers, in its own error body: 400 is
a `validation_error` with a detail per field, not Powertools' default 422 HTTPValidationError, and
each kind of route lists the statuses it can get."""

from __future__ import annotations

import json
import re

from tests.support.events import STAFF, Context, http_event


def _document(api_handler) -> dict:
    response = api_handler(http_event("GET", "/openapi.json", authorizer=STAFF), Context())
    return json.loads(response["body"])


def test_no_operation_documents_powertools_validation_error(api_handler):
    text = json.dumps(_document(api_handler))
    assert "HTTPValidationError" not in text


def test_every_schema_reference_resolves(api_handler):
    """The console's build generates its types from this document: a dangling $ref stops it."""
    document = _document(api_handler)
    referenced = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert referenced - set(document["components"]["schemas"]) == set()


def test_400_is_the_validation_error_body_with_a_field_and_reason_per_detail(api_handler):
    document = _document(api_handler)
    create = document["paths"]["/templates/"]["post"]["responses"]
    assert create["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ValidationFailure"}
    error = document["components"]["schemas"]["ValidationFailure"]["properties"]["error"]
    assert error["properties"]["code"]["enum"] == ["validation_error"]
    assert error["properties"]["details"]["items"]["required"] == ["field", "reason"]


def test_each_kind_of_route_lists_the_errors_it_can_get(api_handler):
    paths = _document(api_handler)["paths"]
    assert set(paths["/templates/"]["post"]["responses"]) == {
        "201",
        "400",
        "403",
        "404",
        "409",
        "413",
        "415",
        "422",
        "429",
    }
    assert set(paths["/templates/"]["get"]["responses"]) == {"200", "400", "403", "404", "409", "422", "429"}
    assert set(paths["/loyalty/redeem/"]["post"]["responses"]) >= {"401", "422", "429"}
    assert "403" not in paths["/loyalty/redeem/"]["post"]["responses"]
    click = paths["/track/click/{token}/"]["get"]["responses"]
    assert set(click) == {"302", "400", "429"}
    assert set(click["400"]["content"]) == {"application/json", "text/html"}
    throttled = paths["/templates/"]["get"]["responses"]["429"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/GatewayError"} in throttled["anyOf"]
