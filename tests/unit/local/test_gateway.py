"""The local gateway's own checks, with a stand-in for the API function: it answers only to
loopback names (no DNS rebinding), serves the documentation without credentials as the SPEC's local
contract says, and passes a gzipped function response on to the client as it is."""

from __future__ import annotations

import base64
import gzip

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from marketing.api_routes import BASE_PATH
from marketing_local.config import STAFF_ACCESS_KEY
from marketing_local.gateway import Gateway


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
    assert event["requestContext"]["authorizer"]["iam"]["accessKey"] == STAFF_ACCESS_KEY


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
