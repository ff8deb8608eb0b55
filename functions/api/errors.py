"""The API's one mapping from errors to HTTP responses in the SPEC's error body."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from marketing.errors import DomainError, ValidationFailed, error_body
from marketing.observability import logger


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _field_name(location: tuple[Any, ...]) -> str:
    # Powertools reports ("body", "name") or ("query", "limit"); clients want the field itself.
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _bad_start_key(exc: Exception) -> bool:
    """Whether DynamoDB refused the start key a cursor gave ("The provided starting key is
    invalid: ...", "... is outside query boundaries ..."), in PynamoDB's QueryError or ScanError
    (told by their attributes: PynamoDB is not loaded at the API's cold start). A cursor names its
    listing (marketing/pagination.py), so this is left for a cursor of a listing whose keys changed
    shape across a deploy: the client's to restart, not a 500."""
    message = str(getattr(exc, "cause_response_message", None) or "").lower()
    return getattr(exc, "cause_response_code", None) == "ValidationException" and "starting key" in message


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
        if _bad_start_key(exc):
            logger.warning("a cursor's start key was refused by DynamoDB", reason=str(exc))
            refused = ValidationFailed.field("next", "the cursor no longer fits this listing; list again without it")
            return _json(refused.status, refused.body())
        logger.exception("unhandled error")
        return _json(500, error_body("internal_error", "something went wrong on our side; it has been logged"))
