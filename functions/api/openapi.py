"""What the OpenAPI document says about the API as a whole, and per access class."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer, Server

from marketing.auth import Access
from marketing.catalog.api_routes import BASE_PATH, ROUTES, ApiRoute

TITLE = "Marketing platform API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Email marketing and growth for online shops. Admin routes take AWS SigV4-signed requests "
    "(service `execute-api`); customer routes take the shop's JWT as a Bearer token; public routes "
    'carry signed tokens. Errors are `{"error": {"code", "message", "details"}}`.'
)
SERVERS = [Server(url=BASE_PATH)]
SECURITY_SCHEMES = {
    "sigv4": APIKey(
        name="Authorization",
        in_=APIKeyIn.header,
        description="AWS Signature Version 4 (API Gateway AWS_IAM authorization).",
        openapi_extensions={"x-amazon-apigateway-authtype": "awsSigv4"},
    ),
    "customerJwt": HTTPBearer(bearerFormat="JWT", description="JWT from the shop's identity provider."),
}

# --- error responses -------------------------------------------------------------------------------
# What each kind of route answers besides its own responses. The platform's errors are in its one
# error body (api/errors.py, api/limits.py); API Gateway's own refusals (a bad signature or token,
# throttling, a body over its 10 MB limit) are `{"message": …}`, so those statuses allow either.
ERROR_STATUSES: dict[Access, tuple[int, ...]] = {
    Access.STAFF: (400, 403, 404, 409, 413, 415, 422, 429),
    Access.CUSTOMER: (400, 401, 404, 409, 413, 415, 422, 429),
    Access.PUBLIC: (400, 413, 415, 429),
}
BODY_STATUSES = (413, 415)  # only for a method that takes a body
METHODS_WITH_BODIES = ("post", "put", "patch")
GATEWAY_STATUSES = (401, 403, 413, 429)
ERROR_DESCRIPTIONS = {
    400: "Invalid request: `validation_error`, one detail per field",
    401: "No valid customer token (API Gateway's JWT authorizer)",
    403: "Not signed, wrongly signed, or not allowed for the caller's role",
    404: "No such resource",
    409: "Conflict with the current state (e.g. an address already used)",
    413: "Request body too large",
    415: "Not JSON: send Content-Type: application/json",
    422: "A business rule refused it (e.g. more points than the balance)",
    429: "Throttled: too many requests, or too many failed code guesses",
}
_SCHEMAS = "#/components/schemas/"


def _error_body(code: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The platform's one error body (marketing.errors.error_body), with its code and details so."""
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": code,
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": detail},
                },
            }
        },
    }


_FIELD_AND_REASON = {"field": {"type": "string"}, "reason": {"type": "string"}}
ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "For invalid input, the field and why; other errors name what they concern.",
        "properties": _FIELD_AND_REASON,
    },
    "Error": _error_body({"type": "string"}, {"$ref": f"{_SCHEMAS}ErrorDetail"}),
    "ValidationFailure": _error_body(
        {"type": "string", "enum": ["validation_error"]},
        {"type": "object", "required": ["field", "reason"], "properties": _FIELD_AND_REASON},
    ),
    "GatewayError": {
        "type": "object",
        "description": "API Gateway's own refusal, before the API function runs.",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
    },
}
# What Powertools documents for every validated route; the API answers 400 ValidationFailure instead.
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def _error_content(status: int, access: Access) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"{_SCHEMAS}{'ValidationFailure' if status == 400 else 'Error'}"}
    if status in GATEWAY_STATUSES:
        schema = {"anyOf": [schema, {"$ref": f"{_SCHEMAS}GatewayError"}]}
    content = {"application/json": {"schema": schema}}
    if status == 400 and access is Access.PUBLIC:  # an invalid link gets a page; a missing token, JSON
        content["text/html"] = {"schema": {"type": "string"}}
    return content


def _with_error_responses(operation: dict[str, Any], route: ApiRoute) -> None:
    responses = operation["responses"]
    responses.pop("422", None)
    for status in ERROR_STATUSES[route.access]:
        if status in BODY_STATUSES and route.method.lower() not in METHODS_WITH_BODIES:
            continue
        if status == 415 and route.takes_form:  # a form's body is whatever a browser posts
            continue
        described = responses.get(str(status), {}).get("description")
        responses[str(status)] = {
            "description": described or ERROR_DESCRIPTIONS[status],
            "content": _error_content(status, route.access),
        }


def with_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """The document Powertools generated, with the errors each operation really answers, derived
    from its route's access kind, in place of Powertools' 422 HTTPValidationError."""
    for route in ROUTES:
        operation = document["paths"].get(route.path, {}).get(route.method.lower())
        if operation is not None:  # the documentation routes are left out of the document
            _with_error_responses(operation, route)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(ERROR_COMPONENTS)
    return document
