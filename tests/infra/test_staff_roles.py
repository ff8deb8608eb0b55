"""The staff roles' IAM managed policies in the synthesized template, evaluated as IAM evaluates them
(an explicit Deny wins; `*` matches any characters, `/` included) against every route of the table,
called with and without the trailing slash, as clients may send either."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase

import pytest

from marketing.auth import Access
from marketing.catalog.api_routes import ROUTES
from marketing.catalog.staff_roles import StaffRole, may_call

STAFF_ROUTES = [route for route in ROUTES if route.access is Access.STAFF]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MANAGED_POLICY_LIMIT = 6144  # characters, whitespace not counted
# What the template's references resolve to in a deployed stack, at their longest plausible length.
REFERENCES = {"AWS::Partition": "aws-us-gov", "AWS::Region": "ap-southeast-2", "AWS::AccountId": "123456789012"}
API_ID = "a1b2c3d4e5"


def _resolve(value) -> str:
    """A resource ARN of the template as a string: Fn::Join flattened, references filled in."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolve(part) for part in parts)
    return REFERENCES.get(value["Ref"], API_ID)  # the only other reference is the HTTP API's id


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _policies(template) -> dict[StaffRole, dict]:
    """Each role's policy document, found through the stack output of its ARN."""
    outputs = template.find_outputs("*")
    resources = template.find_resources("AWS::IAM::ManagedPolicy")
    found = {}
    for role in StaffRole:
        (output,) = [output for key, output in outputs.items() if f"{role.value.title()}PolicyArn" in key]
        found[role] = resources[output["Value"]["Ref"]]["Properties"]["PolicyDocument"]
    return found


def _resources(document: dict, effect: str) -> list[str]:
    return [
        _resolve(resource)
        for statement in document["Statement"]
        if statement["Effect"] == effect
        for resource in _as_list(statement["Resource"])
    ]


def _invoke_arn(method: str, path: str) -> str:
    region, account = REFERENCES["AWS::Region"], REFERENCES["AWS::AccountId"]
    return f"arn:{REFERENCES['AWS::Partition']}:execute-api:{region}:{account}:{API_ID}/$default/{method}{path}"


def _allows(document: dict, method: str, path: str) -> bool:
    for statement in document["Statement"]:
        assert _as_list(statement["Action"]) == ["execute-api:Invoke"]
    arn = _invoke_arn(method, path)
    allowed = any(fnmatchcase(arn, pattern) for pattern in _resources(document, "Allow"))
    denied = any(fnmatchcase(arn, pattern) for pattern in _resources(document, "Deny"))
    return allowed and not denied


def _requests(route) -> list[str]:
    """Paths a client may send for `route`: a sample id per parameter, with and without the slash."""
    path = re.sub(r"\{\w+\}", "id-1", route.gateway_path)
    return [path, f"{path}/"]


@pytest.fixture(scope="module")
def policies(template) -> dict[StaffRole, dict]:
    return _policies(template)


def test_the_stack_outputs_both_policy_arns(template):
    outputs = template.find_outputs("*")
    policy_arns = {key: output for key, output in outputs.items() if "PolicyArn" in key}
    assert len(policy_arns) == 2
    for output in policy_arns.values():
        assert "marketing" in output["Description"]


def test_the_manager_policy_covers_every_staff_route(policies):
    for route in STAFF_ROUTES:
        for path in _requests(route):
            assert _allows(policies[StaffRole.MANAGER], route.method, path), f"{route.method} {path}"


def test_the_analyst_policy_allows_no_write_and_no_data_transfer(policies):
    analyst = policies[StaffRole.ANALYST]
    for route in STAFF_ROUTES:
        for method in METHODS:
            for path in _requests(route):
                if method != "GET" or (route.method == "GET" and route.transfers_data):
                    assert not _allows(analyst, method, path), f"{method} {path}"


def test_the_analyst_policy_allows_every_other_read(policies):
    for route in STAFF_ROUTES:
        if route.method == "GET" and not route.transfers_data:
            for path in _requests(route):
                assert _allows(policies[StaffRole.ANALYST], route.method, path), f"{route.method} {path}"


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_policy_allows_exactly_the_routes_the_local_gateway_lets_its_role_call(policies, role):
    for route in STAFF_ROUTES:
        for path in _requests(route):
            assert _allows(policies[role], route.method, path) == may_call(role, route), f"{route.method} {path}"


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_policy_fits_the_managed_policy_size_limit(policies, role):
    document = json.loads(json.dumps(policies[role]))
    for statement in document["Statement"]:
        statement["Resource"] = [_resolve(resource) for resource in _as_list(statement["Resource"])]
    assert len(re.sub(r"\s", "", json.dumps(document))) < MANAGED_POLICY_LIMIT
