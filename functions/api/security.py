"""OpenAPI security requirements per access class (scheme definitions live in api/openapi.py)."""

STAFF = [{"sigv4": []}]
CUSTOMER = [{"customerJwt": []}]
