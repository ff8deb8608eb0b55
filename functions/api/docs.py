"""The OpenAPI document and Swagger UI, built on first request.

Powertools' OpenAPI models take a sizeable share of a cold start; only the two documentation
routes need them, so they are imported here, lazily, and the document is built once per container.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types


def register(app: APIGatewayHttpResolver) -> None:
    @cache
    def document() -> str:
        from api import openapi, routers

        routers.include_all(app)

        return app.get_openapi_json_schema(
            title=openapi.TITLE,
            version=openapi.VERSION,
            description=openapi.DESCRIPTION,
            servers=openapi.SERVERS,
            security_schemes=openapi.SECURITY_SCHEMES,
        )

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document():
        return Response(200, content_types.APPLICATION_JSON, document())

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
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
        return Response(200, content_types.TEXT_HTML, html)
