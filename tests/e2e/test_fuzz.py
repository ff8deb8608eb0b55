"""Fuzzing the API from its own OpenAPI document (schemathesis), on a local stack of its own so
the random data it makes cannot disturb the other end-to-end tests. Admin routes are signed with
the local staff credentials and customer routes carry a customer's token, so the generated
requests reach the handlers. Every response must be something other than a 5xx and match the
schema the document gives for its status; a tracking link with a generated token never redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from marketing.auth import Access
from marketing.catalog.api_routes import match
from marketing.catalog.staff_roles import StaffRole
from marketing_cli.client import LOCAL_CREDENTIALS, LOCAL_REGION
from tests.e2e.conftest import running_local_stack

pytestmark = pytest.mark.e2e


class PlatformAuth(requests.auth.AuthBase):
    """Signs a staff route with SigV4 and gives a customer route the customer's token, by the
    route table, as a real client of each kind would."""

    def __init__(self, customer_token: str):
        self._customer_token = customer_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        found = match(request.method or "GET", urlsplit(request.url).path)
        if found is None:
            return request
        access = found[0].access
        if access is Access.CUSTOMER:
            request.headers["Authorization"] = f"Bearer {self._customer_token}"
        elif access is Access.STAFF:
            body = request.body or b""
            signed = AWSRequest(method=request.method, url=request.url, data=body, headers=dict(request.headers))
            SigV4Auth(LOCAL_CREDENTIALS[StaffRole.MANAGER], "execute-api", LOCAL_REGION).add_auth(signed)
            request.headers.update(dict(signed.headers.items()))
        return request


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    with running_local_stack(tmp_path_factory.mktemp("fuzz-state")) as stack:
        yield stack


@pytest.fixture(scope="module")
def api_schema(fuzz_stack):
    return schemathesis.openapi.from_url(f"{fuzz_stack.api_url}/openapi.json")


@pytest.fixture(scope="module")
def session(fuzz_stack):
    client = requests.Session()
    client.trust_env = False  # loopback: no proxies to look up in the environment for each request
    client.auth = PlatformAuth(fuzz_stack.customer_token("fuzz-customer", "fuzz-customer@example.com"))
    return client


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    database=None,  # a clean clone each run: examples saved for a next run would only cost time
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_no_server_error_and_every_response_matches_its_schema(case, fuzz_stack, session):
    response = case.call(base_url=fuzz_stack.api_url, session=session)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    if case.operation.path.startswith("/track/click/"):
        assert response.status_code != 302, "a generated click token redirected"
