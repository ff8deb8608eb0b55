"""Who is calling: the principal API Gateway authenticated, read from the request context.

API Gateway (and the local gateway, which builds the same events) has already verified the
SigV4 signature or the JWT by the time a handler runs; this module only reads the result.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from marketing.errors import Forbidden


class Access(StrEnum):
    """Who a route is for; decides its API Gateway authorizer."""

    STAFF = "staff"  # AWS_IAM (SigV4)
    CUSTOMER = "customer"  # JWT from the shop's identity provider
    PUBLIC = "public"  # none: signed tokens in the URL, throttled


class Principal(NamedTuple):
    kind: Access
    id: str  # IAM user/role ARN for staff, `sub` for customers, "" for anonymous callers
    email: str | None = None
    # The identity provider says the customer proved they own `email` (the `email_verified` claim):
    # only then may the address link them to a contact they are not linked to yet.
    email_verified: bool = False

    @property
    def is_staff(self) -> bool:
        return self.kind is Access.STAFF


ANONYMOUS = Principal(Access.PUBLIC, "")


def principal_from_request_context(request_context: dict[str, Any]) -> Principal:
    authorizer = request_context.get("authorizer") or {}
    iam = authorizer.get("iam")
    if iam:
        return Principal(Access.STAFF, iam.get("userArn") or iam.get("accessKey") or "")
    jwt = authorizer.get("jwt")
    if jwt:
        claims = jwt.get("claims") or {}
        subject = claims.get("sub")
        if not subject:
            raise Forbidden("the token has no subject")
        # API Gateway's JWT authorizer passes every claim as a string ("true"); tests may pass a bool.
        verified = str(claims.get("email_verified", "")).lower() == "true"
        return Principal(Access.CUSTOMER, str(subject), claims.get("email"), verified)
    return ANONYMOUS


def require_access(principal: Principal, access: Access) -> None:
    """Defence in depth behind API Gateway: a route only serves the principals it is for."""
    if access is Access.PUBLIC:
        return
    if principal.kind is not access:
        raise Forbidden(f"this route is for {access.value} callers")
