from __future__ import annotations

import pytest

from marketing.auth import Access, principal_from_request_context, require_access
from marketing.errors import Forbidden


def test_iam_caller_is_staff():
    principal = principal_from_request_context({"authorizer": {"iam": {"userArn": "arn:aws:iam::1:user/a"}}})
    assert principal.kind is Access.STAFF
    assert principal.id == "arn:aws:iam::1:user/a"


def test_jwt_caller_is_the_customer_named_by_sub():
    principal = principal_from_request_context({"authorizer": {"jwt": {"claims": {"sub": "u-9", "email": "a@b.c"}}}})
    assert (principal.kind, principal.id, principal.email) == (Access.CUSTOMER, "u-9", "a@b.c")


def test_a_jwt_without_subject_is_refused():
    with pytest.raises(Forbidden):
        principal_from_request_context({"authorizer": {"jwt": {"claims": {"email": "a@b.c"}}}})


def test_no_authorizer_is_anonymous():
    assert principal_from_request_context({}).kind is Access.PUBLIC


@pytest.mark.parametrize(
    ("caller", "route", "allowed"),
    [
        (Access.STAFF, Access.STAFF, True),
        (Access.CUSTOMER, Access.STAFF, False),
        (Access.PUBLIC, Access.STAFF, False),
        (Access.STAFF, Access.CUSTOMER, False),
        (Access.CUSTOMER, Access.CUSTOMER, True),
        (Access.PUBLIC, Access.PUBLIC, True),
        (Access.CUSTOMER, Access.PUBLIC, True),
    ],
)
def test_route_access(caller, route, allowed):
    context = {
        Access.STAFF: {"authorizer": {"iam": {"userArn": "arn"}}},
        Access.CUSTOMER: {"authorizer": {"jwt": {"claims": {"sub": "u"}}}},
        Access.PUBLIC: {},
    }[caller]
    principal = principal_from_request_context(context)
    if allowed:
        require_access(principal, route)
    else:
        with pytest.raises(Forbidden):
            require_access(principal, route)
