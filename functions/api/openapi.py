"""What the OpenAPI document says about the API as a whole, and per access class."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer, Server

from marketing.catalog.api_routes import BASE_PATH

TITLE = "Marketing platform API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Email marketing and growth for online shops. Admin routes take AWS SigV4-signed requests "
    "(service `execute-api`); customer routes take the shop's JWT as a Bearer token; public routes "
    'carry signed tokens. Errors are `{"error": {"code", "message", "details"}}`.'
)
SERVERS = [Server(url=BASE_PATH)]
SECURITY_SCHEMES = {
    "sigv4": APIKey(
        name="Authorization",
        in_=APIKeyIn.header,
        description="AWS Signature Version 4 (API Gateway AWS_IAM authorization).",
        openapi_extensions={"x-amazon-apigateway-authtype": "awsSigv4"},
    ),
    "customerJwt": HTTPBearer(bearerFormat="JWT", description="JWT from the shop's identity provider."),
}
