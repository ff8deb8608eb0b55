"""Contacts through the API handler, with DynamoDB on moto."""

from __future__ import annotations

import pytest

from tests.support.events import STAFF, call

ADA = {
    "email": "Ada@Example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "lifecycle_stage": "customer",
    "tags": ["VIP", "newsletter", "vip"],
    "order_count": 3,
    "lifetime_value": "123.40",
}


def create(api_handler, **fields):
    status, body = call(api_handler, "POST", "/contacts/", {**ADA, **fields}, authorizer=STAFF)
    assert status == 201, body
    return body


def test_create_normalises_and_returns_the_contact(api_handler):
    contact = create(api_handler)
    assert contact["id"].startswith("ct_")
    assert contact["email"] == "Ada@example.com"  # the domain is case-insensitive; the local part is kept
    assert contact["tags"] == ["vip", "newsletter"]
    assert contact["lifetime_value"] == "123.40"
    assert contact["currency"] == "GBP"
    assert call(api_handler, "GET", f"/contacts/{contact['id']}/", authorizer=STAFF)[1] == contact


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM", " Ada@Example.com "])
def test_the_same_address_in_any_case_is_a_409(api_handler, email):
    create(api_handler)
    status, body = call(api_handler, "POST", "/contacts/", {**ADA, "email": email}, authorizer=STAFF)
    assert status == 409
    assert body["error"]["details"][0]["field"] == "email"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("email", "a b@example.com"),
        ("lifecycle_stage", "prospectish"),
        ("lifetime_value", 12.5),
        ("lifetime_value", "-1.00"),
        ("lifetime_value", "1.234"),
        ("order_count", -1),
    ],
)
def test_bad_fields_are_400_naming_the_field(api_handler, field, value):
    status, body = call(api_handler, "POST", "/contacts/", {**ADA, field: value}, authorizer=STAFF)
    assert status == 400, body
    assert body["error"]["details"][0]["field"] == field


def test_changing_the_address_moves_its_claim(api_handler):
    ada = create(api_handler)
    status, patched = call(
        api_handler, "PATCH", f"/contacts/{ada['id']}/", {"email": "ada@newmail.example"}, authorizer=STAFF
    )
    assert status == 200
    assert patched["email"] == "ada@newmail.example"
    create(api_handler, email="ada@example.com", first_name="Someone else")  # the old address is free again
    status, body = call(api_handler, "PATCH", f"/contacts/{ada['id']}/", {"email": "ADA@example.com"}, authorizer=STAFF)
    assert status == 409
    assert body["error"]["details"][0]["field"] == "email"
    found = call(api_handler, "GET", "/contacts/", authorizer=STAFF, query={"email": "ADA@NEWMAIL.EXAMPLE"})[1]
    assert [item["id"] for item in found["items"]] == [ada["id"]]


def test_patch_without_address_change_and_null_rules(api_handler):
    ada = create(api_handler)
    status, patched = call(
        api_handler,
        "PATCH",
        f"/contacts/{ada['id']}/",
        {"lifecycle_stage": "vip", "tags": ["Gold"], "email": "ADA@example.com"},
        authorizer=STAFF,
    )
    assert status == 200
    assert (patched["lifecycle_stage"], patched["tags"], patched["email"]) == ("vip", ["gold"], "ADA@example.com")
    status, body = call(api_handler, "PATCH", f"/contacts/{ada['id']}/", {"email": None}, authorizer=STAFF)
    assert status == 400
    assert body["error"]["details"][0] == {"field": "email", "reason": "may not be null"}


def test_fields_the_shop_events_keep_are_read_only(api_handler):
    ada = create(api_handler)
    for field, value in (
        ("order_count", 99),
        ("lifetime_value", "1000.00"),
        ("user_id", "u-x"),
        ("last_order_at", None),
    ):
        status, body = call(api_handler, "PATCH", f"/contacts/{ada['id']}/", {field: value}, authorizer=STAFF)
        assert status == 400, (field, body)
        assert body["error"]["details"][0]["field"] == field
        assert body["error"]["details"][0]["reason"].startswith("read-only")
    after = call(api_handler, "GET", f"/contacts/{ada['id']}/", authorizer=STAFF)[1]
    assert (after["order_count"], after["lifetime_value"], after["user_id"]) == (
        ada["order_count"],
        ada["lifetime_value"],
        None,
    )


def test_delete_erases_and_frees_the_address(api_handler):
    ada = create(api_handler)
    assert call(api_handler, "DELETE", f"/contacts/{ada['id']}/", authorizer=STAFF)[0] == 204
    assert call(api_handler, "GET", f"/contacts/{ada['id']}/", authorizer=STAFF)[0] == 404
    assert call(api_handler, "DELETE", f"/contacts/{ada['id']}/", authorizer=STAFF)[0] == 404
    create(api_handler)


def test_list_filters_by_stage_tag_and_email(api_handler):
    create(api_handler, email="a@x.example", lifecycle_stage="customer", tags=["vip"])
    create(api_handler, email="b@x.example", lifecycle_stage="customer", tags=[])
    create(api_handler, email="c@x.example", lifecycle_stage="lead", tags=["vip"])

    def emails(**query):
        items, cursor = [], None
        while True:
            page = call(
                api_handler,
                "GET",
                "/contacts/",
                authorizer=STAFF,
                query={**query, "limit": "2", **({"next": cursor} if cursor else {})},
            )[1]
            items += [item["email"] for item in page["items"]]
            cursor = page["next"]
            if not cursor:
                return sorted(items)

    assert emails() == ["a@x.example", "b@x.example", "c@x.example"]
    assert emails(stage="customer") == ["a@x.example", "b@x.example"]
    assert emails(tag="VIP") == ["a@x.example", "c@x.example"]
    assert emails(stage="customer", tag="vip") == ["a@x.example"]
    assert emails(email="B@X.EXAMPLE") == ["b@x.example"]
    assert emails(email="nobody@x.example") == []
    assert call(api_handler, "GET", "/contacts/", authorizer=STAFF, query={"stage": "nope"})[0] == 400


def _page(api_handler, path: str, **query: str) -> tuple[int, dict]:
    return call(api_handler, "GET", path, authorizer=STAFF, query=query)


def _another_listing(status: int, body: dict) -> bool:
    detail = body["error"]["details"][0]
    return (status, detail["field"], "another listing" in detail["reason"]) == (400, "next", True)


def test_a_cursor_of_one_listing_is_refused_by_another(api_handler):
    """A cursor was signed for any list: the whole table's cursor sent with a stage filter was a
    start key of another index (500), and a template cursor was taken by /contacts/."""
    for letter in "abc":
        create(api_handler, email=f"{letter}@x.example", lifecycle_stage="lead")
    status, first = _page(api_handler, "/contacts/", limit="1")
    assert (status, bool(first["next"])) == (200, True)
    assert _another_listing(*_page(api_handler, "/contacts/", stage="lead", next=first["next"]))
    assert _another_listing(*_page(api_handler, "/contacts/", tag="vip", next=first["next"]))
    _, by_stage = _page(api_handler, "/contacts/", stage="lead", limit="1")
    assert _another_listing(*_page(api_handler, "/contacts/", next=by_stage["next"]))
    assert _another_listing(*_page(api_handler, "/contacts/", stage="customer", next=by_stage["next"]))
    assert _another_listing(*_page(api_handler, "/segments/", next=first["next"]))
    status, rest = _page(api_handler, "/contacts/", stage="lead", limit="5", next=by_stage["next"])
    assert (status, len(rest["items"])) == (200, 2)


def _log(contact_id: str, entries: int) -> None:
    from datetime import UTC, datetime, timedelta

    from marketing.audience.store.consents import ConsentRecord

    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(entries):
        at = start + timedelta(days=number)
        entry = f"{at.isoformat()}#{number:08x}"
        ConsentRecord(contact_id, entry, at=at, event="subscribed", method="staff", actor="staff:test").save()


def test_a_consent_log_cursor_pages_its_own_contact_only(api_handler):
    """Contact A's cursor on contact B's log read on from A's partition: A's entries under B."""
    ada, bob = create(api_handler), create(api_handler, email="bob@example.com")
    _log(ada["id"], 3)
    _log(bob["id"], 3)
    status, first = _page(api_handler, f"/contacts/{ada['id']}/consents/", limit="1")
    assert (status, len(first["items"])) == (200, 1)
    assert _another_listing(*_page(api_handler, f"/contacts/{bob['id']}/consents/", next=first["next"]))
    seen, cursor = list(first["items"]), first["next"]
    while cursor:
        status, page = _page(api_handler, f"/contacts/{ada['id']}/consents/", limit="1", next=cursor)
        assert status == 200, page
        seen, cursor = seen + page["items"], page["next"]
    assert [entry["contact_id"] for entry in seen] == [ada["id"]] * 3
    assert [entry["at"] for entry in seen] == sorted((entry["at"] for entry in seen), reverse=True)


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("The provided starting key is invalid: The provided key element does not match the schema", 400),
        ("The provided starting key is outside query boundaries based on provided conditions", 400),
        ("One or more parameter values were invalid: Condition parameter type does not match schema type", 500),
    ],
)
def test_a_start_key_dynamodb_refuses_is_a_400_naming_next(api_handler, monkeypatch, message, status):
    """What a cursor no named listing refuses may still fail in DynamoDB (a listing that names
    none, keys whose shape changed across a deploy): the client's to restart, not a 500."""
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import QueryError

    from marketing.audience.store import contacts as contact_store

    def refused(*_args, **_kwargs):
        cause = ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "Query")
        raise QueryError("Failed to query items", cause)

    monkeypatch.setattr(contact_store, "list_page", refused)
    answered, body = _page(api_handler, "/contacts/", stage="lead")
    assert answered == status, body
    if status == 400:
        assert body["error"]["details"][0]["field"] == "next"
    else:
        assert body["error"]["code"] == "internal_error"


def test_a_segments_member_cursor_pages_that_segment_alone(api_handler):
    ids = [create(api_handler, email=f"{letter}@x.example")["id"] for letter in "abc"]
    one, other = (
        call(api_handler, "POST", "/segments/", {"name": name, "type": "static", "contact_ids": ids}, authorizer=STAFF)
        for name in ("One", "Other")
    )
    one, other = one[1]["id"], other[1]["id"]
    _, page = _page(api_handler, f"/segments/{one}/contacts/", limit="1")
    seen, cursor = [item["id"] for item in page["items"]], page["next"]
    assert _another_listing(*_page(api_handler, f"/segments/{other}/contacts/", next=cursor))
    assert _another_listing(*_page(api_handler, "/contacts/", next=cursor))
    while cursor:
        status, page = _page(api_handler, f"/segments/{one}/contacts/", limit="1", next=cursor)
        assert status == 200, page
        seen, cursor = seen + [item["id"] for item in page["items"]], page["next"]
    assert sorted(seen) == sorted(ids)
