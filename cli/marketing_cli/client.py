"""An HTTP client for the admin API that signs every request with SigV4 (service execute-api),
as API Gateway's AWS_IAM authorization requires."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from marketing.catalog.staff_roles import StaffRole
from marketing_local.config import REGION as LOCAL_REGION
from marketing_local.config import STAFF_KEY_PAIRS

# Local mode's published key pair of each staff role, as its gateway holds them.
LOCAL_CREDENTIALS = {pair.role: Credentials(pair.access_key, pair.secret_key) for pair in STAFF_KEY_PAIRS.values()}


def local_api_url() -> str:
    """Local mode's API on the port it runs on: MKT_API_PORT, as `mkt-local run` reads it."""
    return f"http://127.0.0.1:{os.environ.get('MKT_API_PORT', '8080')}/api/v1/marketing"


class ApiError(Exception):
    def __init__(self, status: int, body: Any):
        self.status = status
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        message = (error or {}).get("message") if error else (body.get("message") if isinstance(body, dict) else body)
        super().__init__(f"HTTP {status}: {message}")


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: Any


class ApiClient:
    def __init__(self, base_url: str, credentials: Credentials | None, region: str, timeout: float = 30):
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"the API URL must be http(s): {base_url}")
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._region = region
        self._timeout = timeout

    @classmethod
    def local(cls, base_url: str | None = None, role: StaffRole = StaffRole.MANAGER) -> ApiClient:
        return cls(base_url or local_api_url(), LOCAL_CREDENTIALS[role], LOCAL_REGION)

    def url(self, path: str, query: dict[str, Any] | None = None) -> str:
        query = {key: value for key, value in (query or {}).items() if value is not None}
        return f"{self.base_url}/{path.lstrip('/')}" + (f"?{urlencode(query)}" if query else "")

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> ApiResponse:
        """The raw exchange: any status comes back, nothing is raised for 4xx/5xx."""
        url = self.url(path, query)
        data = json.dumps(body).encode() if body is not None else b""
        request = AWSRequest(
            method=method, url=url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
        )
        request.headers["Host"] = urlsplit(url).netloc
        if sign and self._credentials is not None:
            SigV4Auth(self._credentials, "execute-api", self._region).add_auth(request)
        prepared = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            url, data=data or None, method=method, headers=dict(request.headers.items())
        )
        try:
            with urllib.request.urlopen(prepared, timeout=self._timeout) as response:  # noqa: S310
                status, raw, response_headers = response.status, response.read(), dict(response.headers.items())
        except urllib.error.HTTPError as error:
            status, raw, response_headers = error.code, error.read(), dict(error.headers.items())
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return ApiResponse(status, response_headers, parsed)

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        """The usual call: the JSON body on success, ApiError otherwise."""
        response = self.send(method, path, body, query)
        if response.status >= 400:
            raise ApiError(response.status, response.body)
        return response.body
