"""Local mode's console sign-in and files: the sign-in checks the password, hands out temporary
credentials the gateway accepts only with their session token and only until they expire, held to
the user's role; a refresh token renews them; the files are served with the CSP, and a deep link
gets the app's page."""

from __future__ import annotations

import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.test import Client

from marketing.catalog.api_routes import BASE_PATH
from marketing_local.config import REGION
from marketing_local.console import CONSOLE_USERS, ConsoleFiles, ConsoleSessions
from marketing_local.gateway import Gateway
from tests.unit.local.test_gateway import StubFunction

MANAGER, ANALYST = (user for user in CONSOLE_USERS.values())


def gateway_with(sessions: ConsoleSessions, files: ConsoleFiles | None = None) -> tuple[Client, StubFunction]:
    api = StubFunction({"statusCode": 200, "body": "{}", "headers": {"Content-Type": "application/json"}})
    routes = {
        "/local/console/sign-in": sessions.sign_in_route,
        "/local/console/refresh": sessions.refresh_route,
        "/local/console/revoke": sessions.revoke_route,
    }
    if files:
        routes |= {"/console/": files.route, "/console/<path:asset>": files.route}
    return Client(Gateway(api, None, routes, sessions)), api  # type: ignore[arg-type]


def signed_with(credentials: dict, method: str, path: str, *, token: str | None = None, body: bytes = b"") -> dict:
    """A request signed with temporary credentials, carrying their session token (or `token`)."""
    request = AWSRequest(method=method, url=f"http://localhost{BASE_PATH}{path}", data=body)
    session_token = credentials["sessionToken"] if token is None else token
    aws = Credentials(credentials["accessKeyId"], credentials["secretAccessKey"], session_token or None)
    SigV4Auth(aws, "execute-api", REGION).add_auth(request)
    return {"method": method, "path": f"{BASE_PATH}{path}", "data": body, "headers": dict(request.headers.items())}


def sign_in(gateway: Client, username: str, password: str):
    return gateway.post("/local/console/sign-in", json={"username": username, "password": password})


def test_a_wrong_password_or_unknown_user_is_refused_alike():
    gateway, _ = gateway_with(ConsoleSessions())
    for username, password in [(MANAGER.username, "wrong"), ("nobody@shop.local", MANAGER.password)]:
        response = sign_in(gateway, username, password)
        assert response.status_code == 401
        assert response.get_json() == {"message": "Incorrect username or password."}


def test_a_sign_in_that_is_not_json_is_refused_so_no_other_site_can_post_one():
    gateway, _ = gateway_with(ConsoleSessions())
    body = f'{{"username": "{MANAGER.username}", "password": "{MANAGER.password}"}}'
    for path in ("/local/console/sign-in", "/local/console/refresh", "/local/console/revoke"):
        response = gateway.post(
            path, data=body, headers={"Content-Type": "text/plain", "Origin": "https://evil.example"}
        )
        assert response.status_code == 415


def test_the_manager_signs_in_and_calls_a_write_route_with_the_temporary_credentials():
    gateway, api = gateway_with(ConsoleSessions())
    answer = sign_in(gateway, MANAGER.username.upper(), MANAGER.password).get_json()
    assert answer["user"] == {"username": MANAGER.username, "role": "manager"}
    assert answer["credentials"]["accessKeyId"].startswith("ASIA")
    response = gateway.open(**signed_with(answer["credentials"], "POST", "/campaigns/", body=b"{}"))
    assert response.status_code == 200
    (event,) = api.events
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["userArn"].endswith(f":assumed-role/manager/{MANAGER.username}")


def test_the_analysts_credentials_read_but_may_not_write():
    gateway, api = gateway_with(ConsoleSessions())
    credentials = sign_in(gateway, ANALYST.username, ANALYST.password).get_json()["credentials"]
    assert gateway.open(**signed_with(credentials, "GET", "/campaigns/")).status_code == 200
    refused = gateway.open(**signed_with(credentials, "POST", "/campaigns/", body=b"{}"))
    assert refused.status_code == 403
    assert "analyst" in refused.get_json()["error"]["message"]
    assert len(api.events) == 1


def test_temporary_credentials_need_their_session_token():
    gateway, api = gateway_with(ConsoleSessions())
    credentials = sign_in(gateway, MANAGER.username, MANAGER.password).get_json()["credentials"]
    for token in ["", "not-the-token"]:
        response = gateway.open(**signed_with(credentials, "GET", "/campaigns/", token=token))
        assert response.status_code == 403
        assert response.get_json()["message"] == "The security token included in the request is invalid"
    assert api.events == []


def test_expired_credentials_are_refused_and_the_refresh_token_renews_them():
    sessions = ConsoleSessions(credentials_seconds=1)
    gateway, _ = gateway_with(sessions)
    answer = sign_in(gateway, MANAGER.username, MANAGER.password).get_json()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # poll until the second-long credentials have expired
        response = gateway.open(**signed_with(answer["credentials"], "GET", "/campaigns/"))
        if response.status_code == 403:
            break
        time.sleep(0.1)
    assert response.get_json()["message"] == "The security token included in the request is expired"

    renewed = gateway.post("/local/console/refresh", json={"refreshToken": answer["refreshToken"]}).get_json()
    assert renewed["credentials"]["accessKeyId"] != answer["credentials"]["accessKeyId"]
    assert gateway.open(**signed_with(renewed["credentials"], "GET", "/campaigns/")).status_code == 200
    refused = gateway.post("/local/console/refresh", json={"refreshToken": "forged"})
    assert refused.status_code == 401


def test_a_revoked_refresh_token_renews_nothing_and_other_sessions_go_on():
    gateway, _ = gateway_with(ConsoleSessions())
    signed_out = sign_in(gateway, MANAGER.username, MANAGER.password).get_json()
    other = sign_in(gateway, MANAGER.username, MANAGER.password).get_json()

    assert gateway.post("/local/console/revoke", json={"refreshToken": signed_out["refreshToken"]}).status_code == 200
    refused = gateway.post("/local/console/refresh", json={"refreshToken": signed_out["refreshToken"]})
    assert refused.status_code == 401
    assert refused.get_json()["message"] == "The refresh token is invalid or expired: sign in again."
    assert gateway.post("/local/console/refresh", json={"refreshToken": other["refreshToken"]}).status_code == 200
    # Revoking again, or a token never issued, is no error (RFC 7009); a body without one is.
    assert gateway.post("/local/console/revoke", json={"refreshToken": signed_out["refreshToken"]}).status_code == 200
    assert gateway.post("/local/console/revoke", json={"token": "x"}).status_code == 400


def test_the_console_is_served_with_its_csp_and_a_deep_link_gets_the_app(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    gateway, _ = gateway_with(ConsoleSessions(), ConsoleFiles("http://127.0.0.1:5000", tmp_path))

    page = gateway.get("/console/campaigns/c_42")
    assert page.status_code == 200
    assert "id=root" in page.get_data(as_text=True)
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert page.headers["Cache-Control"] == "no-cache"

    asset = gateway.get("/console/assets/index-abc123.js")
    assert asset.headers["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert "immutable" in asset.headers["Cache-Control"]
    assert gateway.get("/console/assets/missing.js").status_code == 404
    for outside in ["/console/../../../../etc/passwd", "/console/..%2f..%2f..%2f..%2fetc%2fpasswd"]:
        assert "root:" not in gateway.get(outside).get_data(as_text=True)  # never a file outside dist

    config = gateway.get("/console/config.json").get_json()
    assert config["mode"] == "local"
    assert config["apiUrl"] == "/api/v1/marketing"  # this origin, whichever loopback name the browser used
    assert "connect-src 'self' http://127.0.0.1:5000;" in page.headers["Content-Security-Policy"]


def test_an_unbuilt_console_says_how_to_build_it(tmp_path):
    gateway, _ = gateway_with(ConsoleSessions(), ConsoleFiles("http://127.0.0.1:5000", tmp_path / "dist"))
    response = gateway.get("/console/")
    assert response.status_code == 503
    assert "make console" in response.get_data(as_text=True)
