"""API Gateway HTTP API (payload 2.0) events for calling the API handler in-process."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from marketing.catalog.api_routes import match

STAFF = {
    "iam": {"accessKey": "AKIATEST", "accountId": "123456789012", "userArn": "arn:aws:iam::123456789012:user/staff"}
}


def customer(user_id: str = "user-1", email: str = "user-1@example.com", *, verified: bool = True) -> dict[str, Any]:
    """A customer's JWT authorizer context; API Gateway passes every claim as a string."""
    claims = (
        {"sub": user_id, "email": email, "email_verified": "true"} if verified else {"sub": user_id, "email": email}
    )
    return {"jwt": {"claims": claims, "scopes": None}}


def http_event(
    method: str, path: str, body: Any = None, *, authorizer: dict | None = None, query: dict[str, str] | None = None
) -> dict[str, Any]:
    """The event API Gateway sends for `method path` (path below /api/v1/marketing)."""
    full_path = f"/api/v1/marketing{path}"
    found = match(method, full_path)
    assert found, f"no route for {method} {full_path}"
    route, params = found
    context: dict[str, Any] = {
        "http": {
            "method": method,
            "path": full_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "pytest",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route.route_key,
        "stage": "$default",
        "accountId": "123456789012",
        "apiId": "test",
        "domainName": "api.test",
        "timeEpoch": 0,
    }
    if authorizer:
        context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": full_path,
        "rawQueryString": urlencode(query or {}),
        "headers": {"content-type": "application/json"},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


class Context:
    """The parts of Lambda's context object that handlers and Powertools read."""

    function_name = "test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def call(handler, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
    response = handler(http_event(method, path, body, **kwargs), Context())
    raw = response.get("body") or ""
    try:
        return response["statusCode"], json.loads(raw) if raw else None
    except ValueError:
        return response["statusCode"], raw
