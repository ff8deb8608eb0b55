"""Staff roles: which staff routes each may call, decided from the route table in one place.

In AWS a role is an IAM managed policy that the stack derives from `may_call` (infra/constructs/
staff_roles.py) and API Gateway's AWS_IAM authorization enforces; local mode has one key pair per
role, and its gateway calls `authorize` before the request reaches the API function.
"""

from __future__ import annotations

from enum import StrEnum

from marketing.auth import Access
from marketing.catalog.api_routes import ApiRoute
from marketing.errors import Forbidden

INVOKE_PERMISSION = "execute-api:Invoke"


class StaffRole(StrEnum):
    MANAGER = "manager"  # every staff route
    ANALYST = "analyst"  # read-only: the staff routes that GET, except those that transfer data

    @property
    def label(self) -> str:
        return f"marketing {self.value}"


def may_call(role: StaffRole, route: ApiRoute) -> bool:
    if route.access is not Access.STAFF:
        return False  # customers and the public are not staff: no staff role reaches their routes
    if role is StaffRole.MANAGER:
        return True
    return route.method == "GET" and not route.transfers_data


def authorize(role: StaffRole, route: ApiRoute) -> None:
    """Raises Forbidden, naming the permission missing, if `role` may not call the staff `route`."""
    if may_call(role, route):
        return
    # The manager may call every staff route: it is the role any refused staff call needs.
    needed = StaffRole.MANAGER
    called = f"{route.method} {route.path}"
    raise Forbidden(
        f"the {role.label} role may not {called}: it needs the {needed.label} role",
        [{"permission": INVOKE_PERMISSION, "route": called, "role": role.value, "required_role": needed.value}],
    )
