"""The API's one mapping from errors to HTTP responses in the SPEC's error body."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from marketing.errors import DomainError, error_body
from marketing.observability import logger


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _field_name(location: tuple[Any, ...]) -> str:
    # Powertools reports ("body", "name") or ("query", "limit"); clients want the field itself.
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(DomainError)
    def domain_error(exc: DomainError) -> Response:
        return _json(exc.status, exc.body())

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response:
        details = [
            {"field": _field_name(tuple(err.get("loc", ()))), "reason": err.get("msg", "invalid")}
            for err in exc.errors()
        ]
        message = "; ".join(f"{detail['field']}: {detail['reason']}" for detail in details) or "invalid request"
        return _json(400, error_body("validation_error", message, details))

    @app.not_found
    def not_found(_exc: Exception) -> Response:
        return _json(404, error_body("not_found", "no such route"))

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return _json(500, error_body("internal_error", "something went wrong on our side; it has been logged"))
