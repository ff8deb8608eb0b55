"""What the OpenAPI document says about the API as a whole, and per access class."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer, Server

from marketing.auth import Access
from marketing.catalog.api_routes import BASE_PATH, route_for_key

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
    Access.PUBLIC: (400, 413, 429),
}
BODY_STATUSES = (413, 415)  # only for a method that takes a body; public routes take forms, never a 415
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
ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "For invalid input, the field and why; other errors name what they concern.",
        "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": {"$ref": f"{_SCHEMAS}ErrorDetail"}},
                },
            }
        },
    },
    "ValidationFailure": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string", "enum": ["validation_error"]},
                    "message": {"type": "string"},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["field", "reason"],
                            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
                        },
                    },
                },
            }
        },
    },
    "GatewayError": {
        "type": "object",
        "description": "API Gateway's own refusal, before the API function runs.",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
    },
}
# What Powertools documents for every validated route; the API answers 400 ValidationFailure instead.
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _error_content(status: int, access: Access) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"{_SCHEMAS}{'ValidationFailure' if status == 400 else 'Error'}"}
    if status in GATEWAY_STATUSES:
        schema = {"anyOf": [schema, {"$ref": f"{_SCHEMAS}GatewayError"}]}
    content = {"application/json": {"schema": schema}}
    if status == 400 and access is Access.PUBLIC:  # an invalid link gets a page; a missing token, JSON
        content["text/html"] = {"schema": {"type": "string"}}
    return content


def with_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """The document Powertools generated, with the errors each operation really answers, derived
    from its route's access kind, in place of Powertools' 422 HTTPValidationError."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            route = route_for_key(f"{method.upper()} {(BASE_PATH + path).rstrip('/')}")
            if route is None:  # not an API route (the documentation routes are left out of the document)
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            for status in ERROR_STATUSES[route.access]:
                if status in BODY_STATUSES and method not in METHODS_WITH_BODIES:
                    continue
                if status == 415 and route.access is Access.PUBLIC:
                    continue
                described = responses.get(str(status), {}).get("description")
                responses[str(status)] = {
                    "description": described or ERROR_DESCRIPTIONS[status],
                    "content": _error_content(status, route.access),
                }
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(ERROR_COMPONENTS)
    return document
