"""The JSON responses of local mode's own routes and of the gateway's refusals."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, default=str), status=status, content_type="application/json")
