"""The staff console in local mode: its files, its configuration, and a sign-in that stands in for
Cognito and its identity pool.

In AWS a marketer signs in to the Cognito user pool, and the identity pool hands the console
temporary AWS credentials of the IAM role of the user's group (manager or analyst); the console
signs every API call with them (SigV4), the same IAM authorizer the staff CLI goes through. Here the
sign-in checks a local user's password and hands out temporary credentials the same way: an access
key, a secret and a session token that expire, held to the role's permissions by the gateway, and a
refresh token to renew them without the password. The gateway verifies the signatures as it does
the staff key pairs'.

The console's files are served from `console/dist` (built by `make console`, which `make run` runs)
at /console/ on the API's port, with the Content-Security-Policy CloudFront sends in AWS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.wrappers import Request, Response

from marketing.catalog.api_routes import BASE_PATH
from marketing.catalog.staff_roles import StaffRole
from marketing_local.config import REGION, REPO_ROOT
from marketing_local.responses import json_response

CONSOLE_DIST = REPO_ROOT / "console" / "dist"
# Temporary credentials live an hour, as the identity pool's do by default; refresh tokens 12 hours,
# as the user pool's app client is configured. MKT_CONSOLE_CREDENTIALS_SECONDS shortens the first
# (the browser tests watch the console renew them).
CREDENTIALS_SECONDS = int(os.environ.get("MKT_CONSOLE_CREDENTIALS_SECONDS", "3600"))
REFRESH_SECONDS = 12 * 3600

# As CloudFront sends it in AWS (infra), but the API is on this origin: connect-src 'self', and the
# moto server, where an import's pre-signed upload goes (S3's endpoint in AWS). Inline styles are
# allowed for the template previews (email HTML is styled inline); scripts never.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
    "connect-src 'self' {uploads}; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def security_headers(uploads_origin: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(uploads=uploads_origin),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


NOT_BUILT = """<!doctype html><html lang="en"><title>Console not built</title>
<h1>The console is not built</h1>
<p>Run <code>make console</code> (or <code>make run</code>, which builds it) and reload.</p>
"""


@dataclass(frozen=True)
class ConsoleUser:
    """A published local staff user, and the role whose permissions its credentials carry."""

    username: str
    password: str
    role: StaffRole


CONSOLE_USERS = {
    user.username: user
    for user in (
        ConsoleUser("manager@shop.local", "local-manager-password", StaffRole.MANAGER),
        ConsoleUser("analyst@shop.local", "local-analyst-password", StaffRole.ANALYST),
    )
}


@dataclass(frozen=True)
class TemporaryCredentials:
    access_key: str
    secret_key: str
    session_token: str
    expires_at: float
    role: StaffRole
    username: str


class CredentialRefused(Exception):
    """Why a signed request's temporary credentials are refused (the gateway's 403 says it)."""


class ConsoleSessions:
    """Signs local users in and hands out temporary credentials; the gateway asks it for the secret
    and role of an access key it issued. Kept in memory: a restart signs everyone out, as the
    credentials of a real identity pool would not survive a redeploy of the local stack anyway."""

    def __init__(self, credentials_seconds: int = CREDENTIALS_SECONDS):
        self._credentials_seconds = credentials_seconds
        self._lock = threading.Lock()
        self._credentials: dict[str, TemporaryCredentials] = {}
        self._refresh_tokens: dict[str, tuple[str, float]] = {}  # token -> (username, expires at)

    def sign_in(self, username: str, password: str) -> dict | None:
        """The sign-in answer for a right user name and password, None otherwise (which of the
        two was wrong is not said)."""
        user = CONSOLE_USERS.get(username.strip().lower())
        # Compared in constant time, and a hash compared even for an unknown user.
        expected = hashlib.sha256((user.password if user else "").encode()).digest()
        if not hmac.compare_digest(expected, hashlib.sha256(password.encode()).digest()) or user is None:
            return None
        refresh_token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._refresh_tokens = {token: held for token, held in self._refresh_tokens.items() if held[1] > now}
            self._refresh_tokens[refresh_token] = (user.username, now + REFRESH_SECONDS)
        return self._answer(user, refresh_token)

    def refresh(self, refresh_token: str) -> dict | None:
        with self._lock:
            username, expires_at = self._refresh_tokens.get(refresh_token, ("", 0.0))
        if expires_at < time.time():
            return None
        return self._answer(CONSOLE_USERS[username], refresh_token)

    def revoke(self, refresh_token: str) -> None:
        """Sign-out: the refresh token renews nothing more, as Cognito's revocation endpoint does.
        Credentials it gave stay valid until they expire, as an identity pool's do."""
        with self._lock:
            self._refresh_tokens.pop(refresh_token, None)

    def _answer(self, user: ConsoleUser, refresh_token: str) -> dict:
        issued = TemporaryCredentials(
            access_key="ASIA" + secrets.token_hex(8).upper(),
            secret_key=secrets.token_urlsafe(30),
            session_token=secrets.token_urlsafe(48),
            expires_at=time.time() + self._credentials_seconds,
            role=user.role,
            username=user.username,
        )
        with self._lock:
            now = time.time()
            self._credentials = {key: held for key, held in self._credentials.items() if held.expires_at > now}
            self._credentials[issued.access_key] = issued
        return {
            "credentials": {
                "accessKeyId": issued.access_key,
                "secretAccessKey": issued.secret_key,
                "sessionToken": issued.session_token,
                "expiration": datetime.fromtimestamp(issued.expires_at, UTC).isoformat(),
            },
            "refreshToken": refresh_token,
            "user": {"username": user.username, "role": user.role.value},
        }

    def secrets(self) -> dict[str, str]:
        """Access key -> secret of every credential issued and not yet dropped (expired ones too:
        the gateway then refuses them for their expiry, not as unknown)."""
        with self._lock:
            return {key: held.secret_key for key, held in self._credentials.items()}

    def held(self, access_key: str, session_token: str) -> TemporaryCredentials:
        """The temporary credentials of a verified signature, if the request carries their session
        token and they have not expired; CredentialRefused otherwise."""
        with self._lock:
            held = self._credentials.get(access_key)
        if held is None or not hmac.compare_digest(held.session_token.encode(), session_token.encode()):
            raise CredentialRefused("The security token included in the request is invalid")
        if held.expires_at <= time.time():
            raise CredentialRefused("The security token included in the request is expired")
        return held

    # --- routes ------------------------------------------------------------------------------
    def sign_in_route(self, request: Request) -> Response:
        """POST /local/console/sign-in {"username", "password"}: temporary credentials, or 401."""
        if not _is_json(request):
            return json_response({"message": "send application/json"}, 415)
        body = _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("username"), str):
            return json_response({"message": "send JSON with username and password"}, 400)
        answer = self.sign_in(body["username"], str(body.get("password", "")))
        if answer is None:
            return json_response({"message": "Incorrect username or password."}, 401)
        return json_response(answer)

    def refresh_route(self, request: Request) -> Response:
        """POST /local/console/refresh {"refreshToken"}: new temporary credentials, or 401."""
        if not _is_json(request):
            return json_response({"message": "send application/json"}, 415)
        body = _json_body(request)
        answer = self.refresh(str(body.get("refreshToken", ""))) if isinstance(body, dict) else None
        if answer is None:
            return json_response({"message": "The refresh token is invalid or expired: sign in again."}, 401)
        return json_response(answer)

    def revoke_route(self, request: Request) -> Response:
        """POST /local/console/revoke {"refreshToken"}: 200 whether or not the token was known
        (RFC 7009: a client cannot do anything more about a token that is no longer valid)."""
        if not _is_json(request):
            return json_response({"message": "send application/json"}, 415)
        body = _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("refreshToken"), str):
            return json_response({"message": "send JSON with refreshToken"}, 400)
        self.revoke(body["refreshToken"])
        return json_response({})


def _is_json(request: Request) -> bool:
    """Only JSON is taken: a page on another site can post a form or text/plain to loopback without
    asking first, but not application/json (the browser would ask, and local mode does not agree)."""
    return request.mimetype == "application/json"


def _json_body(request: Request) -> object:
    if request.method != "POST":
        return None
    try:
        return json.loads(request.get_data(cache=True) or b"null")
    except ValueError:
        return None


def console_config() -> dict[str, str]:
    """What the console reads at start (/console/config.json): where the API is (this origin, by
    whichever loopback name the browser used) and how to sign in."""
    return {
        "mode": "local",
        "region": REGION,
        "apiUrl": BASE_PATH,
        "signInUrl": "/local/console/sign-in",
        "refreshUrl": "/local/console/refresh",
        "revokeUrl": "/local/console/revoke",
        "outboxUrl": "/local/outbox",
    }


class ConsoleFiles:
    """Serves the built console under /console/: a file if there is one, else the app's page
    (the console routes in the browser, so /console/campaigns/42 is the app too)."""

    def __init__(self, uploads_origin: str, dist: Path = CONSOLE_DIST):
        """`uploads_origin`: where an import's pre-signed upload goes (the moto server)."""
        self._dist = dist
        self._config = json.dumps(console_config())
        self._headers = security_headers(uploads_origin)

    def route(self, request: Request) -> Response:
        relative = request.path.removeprefix("/console").lstrip("/")
        if relative == "config.json":
            response = Response(self._config, content_type="application/json")
            response.headers["Cache-Control"] = "no-store"
        else:
            response = self._file(relative)
        response.headers.update(self._headers)
        return response

    def _file(self, relative: str) -> Response:
        index = self._dist / "index.html"
        if not index.exists():
            return Response(NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
        found = safe_join(str(self._dist), relative) if relative else None
        path = Path(found) if found else index
        if not path.is_file():
            if Path(relative).suffix:  # a missing asset is a 404, not the app's page
                return json_response({"message": "Not Found"}, 404)
            path = index
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        response = Response(path.read_bytes(), content_type=content_type)
        # Vite names built assets by their content: cache them for good; the page, never.
        immutable = path.parent.name == "assets"
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        return response
