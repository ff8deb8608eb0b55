"""A JSON body nested deeper than any route takes is a 400 validation_error, refused before it is
parsed: about 1,000 levels made Python's JSON parser raise RecursionError, a 500 on every JSON
route, the public signup among them (api/limits.py)."""

from __future__ import annotations

import json

import pytest

from marketing.audience.models.segments import MAX_DEPTH
from tests.support.campaigns import staff
from tests.support.events import call

SIGNUP = {"email": "ada@example.com", "form_id": "footer", "page": "https://shop.example/", "wording_version": "v1"}


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [1_000, 100_000], ids=["1k", "100k"])
def test_a_deeply_nested_body_on_the_public_signup_is_a_400(api_handler, levels):
    body = json.dumps(SIGNUP)[:-1] + f', "first_name": {nested(levels)}}}'
    status, response = call(api_handler, "POST", "/signup/", body)
    assert status == 400, response
    assert response["error"]["code"] == "validation_error"
    assert response["error"]["details"][0]["field"] == "body"


@pytest.mark.parametrize("body", [nested(1_000), '{"a":' * 1_000 + "1" + "}" * 1_000], ids=["arrays", "objects"])
def test_a_deeply_nested_body_on_a_staff_route_is_a_400(api_handler, body):
    status, response = staff(api_handler, "POST", "/segments/", body)
    assert status == 400, response
    assert response["error"]["code"] == "validation_error"
    assert response["error"]["details"][0]["field"] == "body"


def criteria(depth: int) -> dict:
    """Criteria `depth` levels deep (as the segment models count them): groups down to a leaf of
    conditions, the deepest JSON a route takes."""
    node: dict = {"tags": {"any": ["vip"]}, "lifecycle_stage": ["customer"]}
    for level in range(depth - 1):
        node = {("all", "any")[level % 2]: [node, {"min_order_count": 0}]}
    return node


def test_the_deepest_criteria_the_segment_models_allow_are_taken(api_handler):
    deepest = criteria(MAX_DEPTH)
    status, segment = staff(api_handler, "POST", "/segments/", {"name": "Deep", "type": "dynamic", "criteria": deepest})
    assert status == 201, segment
    status, patched = staff(api_handler, "PATCH", f"/segments/{segment['id']}/", {"criteria": deepest})
    assert status == 200, patched
    too_deep = {"name": "Deeper", "type": "dynamic", "criteria": criteria(MAX_DEPTH + 1)}
    status, refused = staff(api_handler, "POST", "/segments/", too_deep)  # the models' own limit, not the nesting's
    assert status == 400, refused
    assert "nest at most" in refused["error"]["message"], refused


def test_brackets_inside_strings_do_not_count(api_handler):
    status, segment = staff(api_handler, "POST", "/segments/", {"name": "[" * 150 + "{" * 40, "type": "static"})
    assert status == 201, segment


def test_the_limit_is_exact_and_an_escaped_quote_does_not_end_a_string():
    from api.limits import MAX_NESTING, _nests_too_deep

    assert not _nests_too_deep(nested(MAX_NESTING))
    assert _nests_too_deep(nested(MAX_NESTING + 1))
    assert not _nests_too_deep(json.dumps({"a": '\\"' + "[" * 100, "b": [[["]]]"]]]}))
