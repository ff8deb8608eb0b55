"""The OpenAPI document and Swagger UI, built on first request.

Powertools' OpenAPI models take a sizeable share of a cold start; only the two documentation
routes need them, so they are imported here, lazily. Each document is built, encoded and gzipped
once per container (Swagger UI is about 1.9 MB of HTML, 0.5 MB gzipped), and served with an ETag
and a max-age so a browser revalidates it for a 304 instead of downloading it again.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

# The documents change only with a deploy; after this the ETag makes revalidating cheap. `private`:
# behind AWS_IAM they are per caller, so no shared cache may keep them.
CACHE_CONTROL = "private, max-age=300"


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip: named, or `*`, with a non-zero q."""
    weights: dict[str, float] = {}
    for coding in accept_encoding.lower().split(","):
        name, _, parameter = coding.partition(";")
        key, _, value = parameter.partition("=")
        try:
            weights[name.strip()] = float(value) if key.strip() == "q" else 1.0
        except ValueError:
            weights[name.strip()] = 0.0
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _entity_tags(if_none_match: str) -> set[str]:
    """The tags of an If-None-Match header, compared weakly as RFC 9110 says (W/ ignored)."""
    return {tag.strip().removeprefix("W/") for tag in if_none_match.split(",") if tag.strip()}


class CachedDocument:
    """One document in its two representations, plain and gzipped, each with its own ETag.

    Not Powertools' `compress=True`: that gzips (at level 9) and base64-encodes on every request,
    and takes gzip;q=0 for a yes. The gzipped body is kept base64-encoded, as API Gateway wants a
    binary body, and passed as text: the response validation would try to JSON-encode bytes.
    Level 6, not 9: Swagger UI gzips in half the time, 0.5% larger."""

    def __init__(self, content_type: str, text: str):
        self.content_type = content_type
        encoded = text.encode()
        digest = hashlib.sha256(encoded).hexdigest()[:32]
        self._plain = (text, f'"{digest}"')
        gzipped = gzip.compress(encoded, compresslevel=6, mtime=0)
        self._gzipped = (base64.b64encode(gzipped).decode(), f'"{digest}-gzip"')

    def response(self, headers: Mapping[str, str]) -> Response:
        gzipped = accepts_gzip(headers.get("accept-encoding", ""))
        body, etag = self._gzipped if gzipped else self._plain
        validators = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
        if_none_match = _entity_tags(headers.get("if-none-match", ""))
        if etag in if_none_match or "*" in if_none_match:
            return Response(304, headers=validators)
        if not gzipped:
            return Response(200, self.content_type, body, headers=validators)
        response = Response(200, self.content_type, body, headers={**validators, "Content-Encoding": "gzip"})
        response.base64_encoded = True
        return response


def build_document(app: APIGatewayHttpResolver) -> str:
    """The OpenAPI document of every route, with the errors the API really returns. Also exported
    for the console's build (`mkt-local openapi`), whose API types are generated from it."""
    from api import openapi, routers

    routers.include_all(app)
    generated = app.get_openapi_json_schema(
        title=openapi.TITLE,
        version=openapi.VERSION,
        description=openapi.DESCRIPTION,
        servers=openapi.SERVERS,
        security_schemes=openapi.SECURITY_SCHEMES,
    )
    return json.dumps(openapi.with_error_responses(json.loads(generated)), indent=2)


def register(app: APIGatewayHttpResolver) -> None:
    @cache
    def document() -> str:
        return build_document(app)

    @cache
    def openapi_json() -> CachedDocument:
        return CachedDocument(content_types.APPLICATION_JSON, document())

    @cache
    def swagger_html() -> CachedDocument:
        import aws_lambda_powertools.event_handler as event_handler
        from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

        assets = Path(event_handler.__file__).parent / "openapi" / "swagger_ui"
        html = generate_swagger_html(
            document().replace("</", "<\\/"),  # the JSON sits inside a <script> element
            (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
            (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
            None,
            None,
        )
        return CachedDocument(content_types.TEXT_HTML, html)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document():
        return openapi_json().response(app.current_event.headers)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        return swagger_html().response(app.current_event.headers)
