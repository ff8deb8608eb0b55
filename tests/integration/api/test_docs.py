"""The OpenAPI document and Swagger UI: for staff, gzipped when the client takes gzip, cacheable,
and revalidated with an ETag (304, no body)."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from tests.support.events import STAFF, Context, http_event

DOCUMENTS = ["/openapi.json", "/docs"]


def get(handler, path: str, **headers: str) -> dict:
    event = http_event("GET", path, authorizer=STAFF)
    event["headers"].update(headers)
    return handler(event, Context())


def body_of(response: dict) -> bytes:
    body = response["body"] or ""
    return base64.b64decode(body) if response["isBase64Encoded"] else body.encode()


@pytest.mark.parametrize("path", DOCUMENTS)
def test_a_client_that_takes_gzip_gets_a_gzipped_cacheable_tagged_document(api_handler, path):
    response = get(api_handler, path, **{"accept-encoding": "gzip, deflate, br"})
    assert response["statusCode"] == 200
    headers = response["headers"]
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert "max-age=" in headers["Cache-Control"]
    assert headers["ETag"].startswith('"')
    plain = gzip.decompress(body_of(response)).decode()
    assert json.loads(plain)["openapi"] if path == "/openapi.json" else "swagger-ui" in plain


@pytest.mark.parametrize("path", DOCUMENTS)
def test_a_repeat_with_the_etag_gets_304_without_a_body(api_handler, path):
    first = get(api_handler, path, **{"accept-encoding": "gzip"})
    etag = first["headers"]["ETag"]
    again = get(api_handler, path, **{"accept-encoding": "gzip", "if-none-match": etag})
    assert again["statusCode"] == 304
    assert not again["body"]
    assert again["headers"]["ETag"] == etag
    assert again["headers"]["Cache-Control"] == first["headers"]["Cache-Control"]
    weak_in_a_list = get(api_handler, path, **{"accept-encoding": "gzip", "if-none-match": f'"other", W/{etag}'})
    assert weak_in_a_list["statusCode"] == 304
    changed = get(api_handler, path, **{"accept-encoding": "gzip", "if-none-match": '"an-older-version"'})
    assert changed["statusCode"] == 200


@pytest.mark.parametrize("accept_encoding", ["", "identity", "gzip;q=0, identity", "br"])
def test_a_client_that_does_not_take_gzip_gets_the_plain_document_under_another_etag(api_handler, accept_encoding):
    plain = get(api_handler, "/openapi.json", **{"accept-encoding": accept_encoding})
    assert plain["statusCode"] == 200
    assert "Content-Encoding" not in plain["headers"]
    assert json.loads(body_of(plain))["openapi"]
    gzipped = get(api_handler, "/openapi.json", **{"accept-encoding": "gzip"})
    assert plain["headers"]["ETag"] != gzipped["headers"]["ETag"]  # two representations, two validators
    assert get(api_handler, "/openapi.json", **{"if-none-match": gzipped["headers"]["ETag"]})["statusCode"] == 200


@pytest.mark.parametrize("path", DOCUMENTS)
def test_the_documentation_is_for_staff(api_handler, path):
    event = http_event("GET", path)
    assert api_handler(event, Context())["statusCode"] == 403


# What pydantic writes into a schema when it cannot say a constraint in JSON Schema (a Decimal's
# digits and places, bounds on a string-typed field), and OpenAPI 3.0's `example`: client generators
# and validators that read the document ignore them or fail on them.
_NOT_JSON_SCHEMA = {"ge", "le", "gt", "lt", "max_digits", "decimal_places", "example"}


def _schemas(schema: object):
    """Every schema object inside `schema`, itself included (property names are not keywords)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for name in ("items", "additionalProperties", "not", "contains"):
        yield from _schemas(schema.get(name))
    for name in ("anyOf", "allOf", "oneOf", "prefixItems"):
        for member in schema.get(name, []):
            yield from _schemas(member)
    for name in ("properties", "$defs", "patternProperties"):
        for member in schema.get(name, {}).values():
            yield from _schemas(member)


def test_every_schema_in_the_document_is_standard_json_schema(api_handler):
    document = json.loads(body_of(get(api_handler, "/openapi.json")))
    found = {
        (name, keyword)
        for name, component in document["components"]["schemas"].items()
        for schema in _schemas(component)
        for keyword in _NOT_JSON_SCHEMA & set(schema)
    }
    assert not found
    amount = document["components"]["schemas"]["GiftCardCreate"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert amount["pattern"]
