"""What each staff role may call, derived from the route table: the one decision that both the AWS
managed policies (infra) and the local gateway apply."""

from __future__ import annotations

import pytest

from marketing.auth import Access
from marketing.catalog.api_routes import ROUTES, route_for_key
from marketing.catalog.staff_roles import StaffRole, authorize, may_call
from marketing.errors import Forbidden

STAFF_ROUTES = [route for route in ROUTES if route.access is Access.STAFF]


def _route(method: str, path: str):
    return route_for_key(f"{method} /api/v1/marketing{path}".rstrip("/"))


def test_the_manager_may_call_every_staff_route():
    assert all(may_call(StaffRole.MANAGER, route) for route in STAFF_ROUTES)


@pytest.mark.parametrize("role", list(StaffRole))
def test_no_role_reaches_customer_or_public_routes(role):
    assert not any(may_call(role, route) for route in ROUTES if route.access is not Access.STAFF)


def test_the_analyst_may_only_read_and_never_take_data_out():
    allowed = [route for route in STAFF_ROUTES if may_call(StaffRole.ANALYST, route)]
    assert {route.method for route in allowed} == {"GET"}
    assert not any(route.transfers_data for route in allowed)
    assert _route("GET", "/campaigns/") in allowed
    assert _route("GET", "/campaigns/{campaign_id}/analytics/") in allowed


def test_the_routes_that_move_personal_data_in_or_out_in_bulk_are_flagged():
    """A contact's full export, and the import routes that hand out a pre-signed upload URL: a GET
    of an import's status returns the URL while the file has not arrived, so reading it is a write."""
    flagged = {route.route_key for route in ROUTES if route.transfers_data}
    assert flagged == {
        "GET /api/v1/marketing/contacts/{contact_id}/export",
        "POST /api/v1/marketing/contacts/imports",
        "GET /api/v1/marketing/contacts/imports/{import_id}",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/campaigns/"), ("DELETE", "/templates/{template_id}/"), ("GET", "/contacts/{contact_id}/export/")],
)
def test_refusing_the_analyst_names_the_missing_permission(method, path):
    route = _route(method, path)
    with pytest.raises(Forbidden) as refused:
        authorize(StaffRole.ANALYST, route)
    assert refused.value.message == (
        f"the marketing analyst role may not {method} {path}: it needs the marketing manager role"
    )
    assert refused.value.details == [
        {
            "permission": "execute-api:Invoke",
            "route": f"{method} {path}",
            "role": "analyst",
            "required_role": "manager",
        }
    ]


def test_authorize_lets_allowed_calls_through():
    authorize(StaffRole.ANALYST, _route("GET", "/campaigns/"))
    authorize(StaffRole.MANAGER, _route("POST", "/campaigns/"))
