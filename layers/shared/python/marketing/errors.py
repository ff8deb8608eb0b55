"""Domain errors and their single mapping to the HTTP error body of the SPEC.

Services raise these; the API maps them to a status and
`{"error": {"code", "message", "details"}}` in one place (functions/api/app.py).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"

    @classmethod
    def field(cls, field: str, reason: str) -> ValidationFailed:
        return cls(f"{field}: {reason}", [{"field": field, "reason": reason}])


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class BusinessRuleViolation(DomainError):
    status = 422
    code = "business_rule"


class Throttled(DomainError):
    status = 429
    code = "throttled"


class Unprocessable(Exception):
    """A queued message that can never be handled as it is (it goes to the dead-letter queue)."""


class ConfigError(RuntimeError):
    """A function started without the configuration it needs (fails the cold start)."""


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}
