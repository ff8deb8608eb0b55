"""The local gateway's own checks, with a stand-in for the API function: it answers only to
loopback names (no DNS rebinding), serves the documentation without credentials as the SPEC's local
contract says, passes a gzipped function response on to the client as it is, and lets each local
staff key pair call only what its role's AWS managed policy allows."""

from __future__ import annotations

import base64
import gzip
import re

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from marketing.catalog.api_routes import BASE_PATH
from marketing_local.config import ANALYST_KEYS, JWT_AUDIENCE, JWT_ISSUER, MANAGER_KEYS, REGION, StaffKeyPair
from marketing_local.gateway import Gateway
from marketing_local.identity import LocalIdentityProvider


class StubFunction:
    """Stands in for the API function: answers every event with `result` and keeps the events."""

    name = "api"

    def __init__(self, result: dict) -> None:
        self.result = result
        self.events: list[dict] = []

    def invoke(self, event: dict) -> dict:
        self.events.append(event)
        return self.result


def health(_request: Request) -> Response:
    return Response("ok")


def client(result: dict | None = None) -> tuple[Client, StubFunction]:
    api = StubFunction(result or {"statusCode": 200, "body": "{}", "headers": {"Content-Type": "application/json"}})
    return Client(Gateway(api, identity=None, local_routes={"/local/health": health})), api  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8080", "localhost", "LOCALHOST:8080", "[::1]", "[::1]:8080"])
def test_loopback_names_are_served(host):
    gateway, _ = client()
    assert gateway.get("/local/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example:8080", "127.0.0.1.attacker.example", "10.0.0.5", "[::1", ""])
@pytest.mark.parametrize("path", ["/local/health", f"{BASE_PATH}/docs", f"{BASE_PATH}/templates/"])
def test_any_other_host_is_refused_before_anything_runs(host, path):
    gateway, api = client()
    response = gateway.get(path, headers={"Host": host})
    assert response.status_code == 421
    assert "127.0.0.1" in response.get_json()["message"]
    assert api.events == []


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_the_documentation_is_served_unsigned_as_the_local_staff_user(path):
    gateway, api = client()
    assert gateway.get(f"{BASE_PATH}{path}").status_code == 200
    (event,) = api.events
    assert event["requestContext"]["authorizer"]["iam"]["accessKey"] == MANAGER_KEYS.access_key


def test_other_staff_routes_still_need_a_signature():
    gateway, api = client()
    assert gateway.get(f"{BASE_PATH}/templates/").status_code == 403
    assert api.events == []


def test_a_gzipped_function_response_reaches_the_client_gzipped():
    html = b"<html>swagger-ui</html>"
    gateway, _ = client(
        {
            "statusCode": 200,
            "isBase64Encoded": True,
            "body": base64.b64encode(gzip.compress(html)).decode(),
            "headers": {"Content-Type": "text/html", "Content-Encoding": "gzip", "ETag": '"v1"'},
        }
    )
    response = gateway.get(f"{BASE_PATH}/docs", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["ETag"] == '"v1"'
    assert gzip.decompress(response.get_data()) == html


def signed(method: str, path: str, key_pair: StaffKeyPair, body: bytes = b"") -> dict:
    """What `client.open` needs to send a request signed with `key_pair`, as botocore signs it."""
    url = f"http://localhost{BASE_PATH}{path}"
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key_pair.access_key, key_pair.secret_key), "execute-api", REGION).add_auth(request)
    return {"method": method, "path": f"{BASE_PATH}{path}", "data": body, "headers": dict(request.headers.items())}


def test_the_analyst_key_pair_reads_but_is_refused_a_write_naming_the_missing_permission():
    gateway, api = client()
    assert gateway.open(**signed("GET", "/campaigns/", ANALYST_KEYS)).status_code == 200
    response = gateway.open(**signed("POST", "/campaigns/", ANALYST_KEYS, b"{}"))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "forbidden"
    assert error["message"] == (
        "the marketing analyst role may not POST /campaigns/: it needs the marketing manager role"
    )
    assert error["details"][0]["permission"] == "execute-api:Invoke"
    (event,) = api.events  # only the GET reached the function
    assert event["requestContext"]["authorizer"]["iam"]["accessKey"] == ANALYST_KEYS.access_key


def test_the_analyst_key_pair_may_not_export_a_contact():
    gateway, api = client()
    response = gateway.open(**signed("GET", "/contacts/c_1/export/", ANALYST_KEYS))
    assert response.status_code == 403
    assert "GET /contacts/{contact_id}/export/" in response.get_json()["error"]["message"]
    assert api.events == []


def test_the_manager_key_pair_gets_through_to_writes_and_exports():
    gateway, api = client()
    assert gateway.open(**signed("POST", "/campaigns/", MANAGER_KEYS, b"{}")).status_code == 200
    assert gateway.open(**signed("GET", "/contacts/c_1/export/", MANAGER_KEYS)).status_code == 200
    assert [event["requestContext"]["authorizer"]["iam"]["accessKey"] for event in api.events] == [
        MANAGER_KEYS.access_key
    ] * 2


def test_a_key_pair_signed_with_another_pairs_secret_is_refused():
    gateway, api = client()
    impostor = StaffKeyPair(ANALYST_KEYS.access_key, MANAGER_KEYS.secret_key, ANALYST_KEYS.role)
    assert gateway.open(**signed("GET", "/campaigns/", impostor)).status_code == 403
    assert api.events == []


def test_a_refused_customer_token_is_a_401_that_says_why(tmp_path):
    identity = LocalIdentityProvider(tmp_path, JWT_ISSUER, JWT_AUDIENCE)
    gateway = Client(Gateway(StubFunction({}), identity, local_routes={}))  # type: ignore[arg-type]
    expired = identity.issue("u-1", "u1@example.com", ttl_seconds=-60)
    response = gateway.get(f"{BASE_PATH}/me/", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.get_json()["message"].startswith("Unauthorized: the token expired at ")
    assert 'error_description="the token expired at ' in response.headers["WWW-Authenticate"]
    missing = gateway.get(f"{BASE_PATH}/me/")
    assert missing.get_json()["message"] == (
        "Unauthorized: no `Authorization: Bearer <token>` header (`mkt-local token` makes one)"
    )


def test_each_request_is_logged_with_its_time_and_latency(capsys):
    gateway, _ = client()
    gateway.get("/local/health")
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\[gateway\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z GET /local/health 200 \d+ms", line), line
