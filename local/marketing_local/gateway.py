"""The local HTTP gateway: API Gateway (HTTP API, payload format 2.0) in front of the same
Lambda handler that deploys.

Per request: find the route in the shared route table (404 as API Gateway answers if none),
throttle it as the deployed stage does (429 past the route's rate), authenticate it with the
route's authorizer (SigV4 for staff routes, JWT for customer routes, none for public ones) and
refuse it as API Gateway would (403 / 401), refuse a staff key pair (or the console's temporary
credentials, marketing_local.console) a route its role may not call
(403, as the role's IAM managed policy does in AWS, here with the platform's error body naming the
missing permission), build the v2 event with the authorizer's result in the request context,
invoke the function, and turn its result into the HTTP response.
Local-only routes live under /local/ (the SES outbox, and what later parts add).

Every request must name the loopback in its Host header (421 otherwise), so a web page cannot reach
local mode by DNS rebinding. The documentation routes, staff-only in AWS, are served unsigned here
(`ApiRoute.open_locally`).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from marketing import clock
from marketing.auth import Access
from marketing.catalog.api_routes import ApiRoute, match
from marketing.catalog.staff_roles import authorize
from marketing.errors import Forbidden
from marketing_local import sigv4
from marketing_local.config import ACCOUNT_ID, MANAGER_KEYS, REGION, STAFF_KEY_PAIRS
from marketing_local.console import ConsoleSessions, CredentialRefused
from marketing_local.identity import LocalIdentityProvider, TokenRejected
from marketing_local.lambda_runtime import FunctionError, LocalFunction
from marketing_local.responses import json_response
from marketing_local.throttle import RouteThrottle

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's HTTP API payload limit
TEXT_TYPES = ("application/json", "text/", "application/xml", "application/x-www-form-urlencoded")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}  # as urlsplit() reads a Host: lowercase, no brackets


def _gateway_error(status: int, message: str) -> Response:
    return json_response({"message": message}, status)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


def _iam_authorizer(access_key: str, user_arn: str | None = None) -> dict[str, Any]:
    """The request context's authorizer for a caller API Gateway authenticated with IAM."""
    return {
        "iam": {
            "accessKey": access_key,
            "accountId": ACCOUNT_ID,
            "callerId": access_key,
            "principalOrgId": None,
            "userArn": user_arn or f"arn:aws:iam::{ACCOUNT_ID}:user/{access_key}",
            "userId": access_key,
        }
    }


def _names_loopback(host_header: str) -> bool:
    """Whether a Host header names this machine's loopback (any port). A page whose name an attacker
    re-points at 127.0.0.1 (DNS rebinding) does reach the gateway, but under its own name."""
    try:
        return urlsplit(f"//{host_header}").hostname in LOOPBACK_HOSTS
    except ValueError:  # not a host name at all, e.g. an unclosed "[::1"
        return False


class Unauthenticated(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _unauthorized(reason: str) -> Unauthenticated:
    """API Gateway's JWT authorizer answers 401 `{"message": "Unauthorized"}` and gives the reason
    only in WWW-Authenticate; locally the message says it too, where a curl user sees it."""
    challenge = f'Bearer error="invalid_token", error_description="{reason.replace(chr(34), chr(39))}"'
    return Unauthenticated(401, f"Unauthorized: {reason}", {"WWW-Authenticate": challenge})


class Gateway:
    def __init__(
        self,
        api_function: LocalFunction,
        identity: LocalIdentityProvider,
        local_routes: dict[str, Callable[[Request], Response]],
        console_sessions: ConsoleSessions | None = None,
    ):
        self._api = api_function
        self._identity = identity
        self._console_sessions = console_sessions or ConsoleSessions()
        self._local_map = Map([Rule(path, endpoint=path) for path in local_routes])
        self._local_routes = local_routes
        self._throttle = RouteThrottle()

    # --- authorizers -------------------------------------------------------------------------
    def _authorize_staff(self, request: Request, route: ApiRoute, body: bytes) -> dict[str, Any]:
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            caller = sigv4.verify(
                method=request.method,
                raw_path=request.environ.get("RAW_URI", request.path).split("?", 1)[0],
                raw_query=request.query_string.decode(),
                headers=headers,
                body=body,
                secrets={
                    **self._console_sessions.secrets(),
                    **{pair.access_key: pair.secret_key for pair in STAFF_KEY_PAIRS.values()},
                },
                region=REGION,
            )
        except sigv4.SignatureError as exc:
            raise Unauthenticated(403, str(exc)) from exc
        if caller.access_key in STAFF_KEY_PAIRS:
            authorize(STAFF_KEY_PAIRS[caller.access_key].role, route)
            return _iam_authorizer(caller.access_key)
        try:  # the console's temporary credentials: as an identity pool's, they need their session token
            held = self._console_sessions.held(caller.access_key, headers.get("x-amz-security-token", ""))
        except CredentialRefused as exc:
            raise Unauthenticated(403, str(exc)) from exc
        authorize(held.role, route)
        session_arn = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{held.role.value}/{held.username}"
        return _iam_authorizer(caller.access_key, session_arn)

    def _authorize_customer(self, request: Request) -> dict[str, Any]:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("no `Authorization: Bearer <token>` header (`mkt-local token` makes one)")
        try:
            claims = self._identity.verify(token.strip())
        except TokenRejected as exc:
            raise _unauthorized(str(exc)) from exc
        # API Gateway passes claims as strings.
        return {
            "jwt": {
                "claims": {
                    key: value if isinstance(value, str) else json.dumps(value) for key, value in claims.items()
                },
                "scopes": None,
            }
        }

    # --- event and response mapping ---------------------------------------------------------
    @staticmethod
    def _event(
        request: Request, route: ApiRoute, params: dict[str, str], body: bytes, authorizer: dict[str, Any] | None
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        query: dict[str, str] = {}
        for key, value in request.args.items(multi=True):
            query[key] = f"{query[key]},{value}" if key in query else value
        content_type = request.content_type or ""
        is_text = not body or any(content_type.startswith(kind) for kind in TEXT_TYPES)
        if is_text and not _is_utf8(body):
            is_text = False  # bytes that are no text whatever the header says: base64, as API Gateway

        now = datetime.now(UTC)
        context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        }
        if authorizer:
            context["authorizer"] = authorizer
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": request.path,
            "rawQueryString": request.query_string.decode(),
            "headers": headers,
            "requestContext": context,
            "isBase64Encoded": not is_text,
        }
        if request.cookies:
            event["cookies"] = [f"{key}={value}" for key, value in request.cookies.items()]
        if query:
            event["queryStringParameters"] = query
        if params:
            event["pathParameters"] = params
        if body:
            event["body"] = body.decode() if is_text else base64.b64encode(body).decode()
        return event

    @staticmethod
    def _response(result: Any) -> Response:
        if not isinstance(result, dict) or "statusCode" not in result:
            # Payload 2.0 lets a function return a bare value: API Gateway sends it as JSON.
            return json_response(result)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(data, status=int(result["statusCode"]))
        response.headers.remove("Content-Type")
        for name, value in (result.get("headers") or {}).items():
            response.headers[name] = str(value)
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(name, str(value))
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        return response

    # --- WSGI --------------------------------------------------------------------------------
    def _handle_api(self, request: Request) -> Response:
        found = match(request.method, request.path)
        if found is None:  # API Gateway answers 404 for an unknown path and for an unknown method alike
            return _gateway_error(404, "Not Found")
        route, params = found
        if not self._throttle.admit(route):
            return _gateway_error(429, "Too Many Requests")
        body = request.get_data(cache=True)
        if len(body) > MAX_PAYLOAD_BYTES:
            return _gateway_error(413, "Request Entity Too Large")
        try:
            authorizer = None
            if route.open_locally:
                authorizer = _iam_authorizer(MANAGER_KEYS.access_key)
            elif route.access is Access.STAFF:
                authorizer = self._authorize_staff(request, route, body)
            elif route.access is Access.CUSTOMER:
                authorizer = self._authorize_customer(request)
        except Unauthenticated as exc:
            refusal = _gateway_error(exc.status, str(exc))
            refusal.headers.update(exc.headers)
            return refusal
        except Forbidden as exc:
            return json_response(exc.body(), exc.status)
        try:
            result = self._api.invoke(self._event(request, route, params, body, authorizer))
        except FunctionError as exc:
            print(f"[gateway] {self._api.name} failed: {exc}\n{exc.payload.get('stackTrace', '')}", flush=True)
            return _gateway_error(500, "Internal Server Error")
        return self._response(result)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        try:
            host = request.headers.get("Host", "")
            if not _names_loopback(host):
                response = _gateway_error(
                    421, f"local mode answers only to 127.0.0.1, localhost or [::1] (any port), not Host {host!r}"
                )
            elif request.path.startswith("/api/"):
                response = self._handle_api(request)
            else:
                endpoint, _ = self._local_map.bind_to_environ(environ).match()
                response = self._local_routes[endpoint](request)
        except NotFound:
            response = _gateway_error(404, "Not Found")
        except HTTPException as exc:
            response = _gateway_error(exc.code or 500, exc.description or "error")
        elapsed_ms = (time.perf_counter() - started) * 1000
        print(
            f"[gateway] {clock.isoformat(datetime.now(UTC))} {request.method} {request.full_path.rstrip('?')} "
            f"{response.status_code} {elapsed_ms:.0f}ms",
            flush=True,
        )
        return response(environ, start_response)
