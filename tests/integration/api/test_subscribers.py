"""Subscribers and preferences through the API handler, with DynamoDB on moto."""

from __future__ import annotations

from tests.support.events import STAFF, call, customer

ALICE = customer("user-alice", "Alice@Example.com")
BOB = customer("user-bob", "bob@example.com")


def subscribe(api_handler, who=ALICE, body=None):
    status, subscriber = call(api_handler, "POST", "/subscribers/", body or {}, authorizer=who)
    assert status == 201, subscriber
    return subscriber


def test_a_customer_subscribes_and_gets_a_contact_and_a_subscriber(api_handler):
    subscriber = subscribe(api_handler, body={"first_name": "Alice", "preferences": {"newsletter": False}})
    assert subscriber["status"] == "subscribed"
    assert subscriber["source"] == "website"
    assert subscriber["user_id"] == "user-alice"
    assert subscriber["preferences"] == {"transactional": True, "promotional": True, "newsletter": False}
    contact = call(api_handler, "GET", f"/contacts/{subscriber['contact_id']}/", authorizer=STAFF)[1]
    assert (contact["email"], contact["first_name"], contact["user_id"]) == ("Alice@example.com", "Alice", "user-alice")
    assert subscribe(api_handler)["id"] == subscriber["id"]  # subscribing again changes nothing


def test_an_unverified_email_claim_cannot_take_an_existing_contact(api_handler):
    """A token may carry any address: unless the identity provider verified it, the customer gets
    no contact by it, neither one that exists already (the CRM's or an import's) nor a new one."""
    status, owner = call(api_handler, "POST", "/contacts/", {"email": "carol@example.com"}, authorizer=STAFF)
    assert status == 201, owner
    claimer = customer("user-mallory", "carol@example.com", verified=False)
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=claimer)[0] == 403
    assert call(api_handler, "GET", "/subscribers/me/preferences/", authorizer=claimer)[0] == 403
    assert call(api_handler, "GET", f"/contacts/{owner['id']}/", authorizer=STAFF)[1]["user_id"] is None
    carol = customer("user-carol", "carol@example.com")
    assert subscribe(api_handler, carol)["contact_id"] == owner["id"]  # verified: linked, as before
    # Nor may it claim an address nobody has yet: the owner would be locked out when they came.
    mallory = customer("user-mallory", "dan@example.com", verified=False)
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=mallory)[0] == 403
    assert subscribe(api_handler, customer("user-dan", "dan@example.com"))["user_id"] == "user-dan"


def test_staff_find_a_subscriber_by_address_in_any_case(api_handler):
    alice = subscribe(api_handler)
    for address in ("alice@example.com", "ALICE@EXAMPLE.COM"):
        status, page = call(api_handler, "GET", "/subscribers/", authorizer=STAFF, query={"email": address})
        assert (status, [item["id"] for item in page["items"]]) == (200, [alice["id"]])
    unsubscribed = {"email": "alice@example.com", "status": "unsubscribed"}
    assert call(api_handler, "GET", "/subscribers/", authorizer=STAFF, query=unsubscribed)[1]["items"] == []
    nobody = {"email": "nobody@example.com"}
    assert call(api_handler, "GET", "/subscribers/", authorizer=STAFF, query=nobody)[1]["items"] == []


def test_customers_manage_only_their_own_preferences(api_handler):
    subscribe(api_handler)
    status, prefs = call(api_handler, "PATCH", "/subscribers/me/preferences/", {"promotional": False}, authorizer=ALICE)
    assert status == 200
    assert prefs == {"transactional": True, "promotional": False, "newsletter": True}
    assert call(api_handler, "GET", "/subscribers/me/preferences/", authorizer=ALICE)[1] == prefs
    assert call(api_handler, "GET", "/subscribers/me/preferences/", authorizer=BOB)[0] == 404
    # Bob's token naming Alice's address (another user id) reaches nothing of hers.
    impostor = customer("user-bob", "alice@example.com")
    assert call(api_handler, "GET", "/subscribers/me/preferences/", authorizer=impostor)[0] == 403
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=impostor)[0] == 403


def test_customers_cannot_reach_staff_subscriber_routes(api_handler):
    subscriber = subscribe(api_handler)
    assert call(api_handler, "GET", f"/subscribers/{subscriber['id']}/", authorizer=ALICE)[0] == 403
    assert call(api_handler, "GET", "/subscribers/", authorizer=ALICE)[0] == 403
    assert call(api_handler, "GET", f"/subscribers/{subscriber['id']}/preferences/", authorizer=ALICE)[0] == 403


def test_staff_unsubscribe_is_idempotent_and_listed_by_status(api_handler):
    alice = subscribe(api_handler)
    subscribe(api_handler, BOB)
    for _ in range(2):
        status, body = call(api_handler, "DELETE", f"/subscribers/{alice['id']}/", authorizer=STAFF)
        assert status == 200
        assert body["status"] == "unsubscribed"
        assert body["unsubscribed_at"]
    listed = call(api_handler, "GET", "/subscribers/", authorizer=STAFF, query={"status": "unsubscribed"})[1]
    assert [item["id"] for item in listed["items"]] == [alice["id"]]
    resubscribed = subscribe(api_handler)
    assert resubscribed["status"] == "subscribed"
    assert resubscribed["unsubscribed_at"] is None


def test_a_suppressed_address_cannot_be_subscribed_again(api_handler):
    alice = subscribe(api_handler)
    status, bounced = call(
        api_handler, "PATCH", f"/subscribers/{alice['id']}/", {"status": "bounced"}, authorizer=STAFF
    )
    assert (status, bounced["status"]) == (200, "bounced")
    status, body = call(
        api_handler, "PATCH", f"/subscribers/{alice['id']}/", {"status": "subscribed"}, authorizer=STAFF
    )
    assert status == 422
    assert body["error"]["details"][0]["field"] == "status"
    assert call(api_handler, "POST", "/subscribers/", {}, authorizer=ALICE)[0] == 422
    assert call(api_handler, "DELETE", f"/subscribers/{alice['id']}/", authorizer=STAFF)[1]["status"] == "bounced"


def test_staff_preferences_routes_and_bad_input(api_handler):
    alice = subscribe(api_handler)
    status, prefs = call(
        api_handler, "PATCH", f"/subscribers/{alice['id']}/preferences/", {"newsletter": False}, authorizer=STAFF
    )
    assert (status, prefs["newsletter"]) == (200, False)
    assert call(api_handler, "GET", f"/subscribers/{alice['id']}/preferences/", authorizer=STAFF)[1] == prefs
    status, body = call(
        api_handler, "PATCH", f"/subscribers/{alice['id']}/preferences/", {"sms": True}, authorizer=STAFF
    )
    assert status == 400
    assert body["error"]["details"][0]["field"] == "sms"
    assert call(api_handler, "GET", "/subscribers/sub_missing/", authorizer=STAFF)[0] == 404


def test_export_holds_everything_and_erasure_leaves_nothing(api_handler, aws):
    import boto3

    alice = subscribe(api_handler, body={"first_name": "Alice"})
    status, exported = call(api_handler, "GET", f"/contacts/{alice['contact_id']}/export/", authorizer=STAFF)
    assert status == 200
    assert exported["contact"]["email"] == "Alice@example.com"
    assert exported["subscriber"]["id"] == alice["id"]

    assert call(api_handler, "DELETE", f"/contacts/{alice['contact_id']}/", authorizer=STAFF)[0] == 204
    assert call(api_handler, "GET", f"/contacts/{alice['contact_id']}/export/", authorizer=STAFF)[0] == 404
    dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
    for table in dynamodb.list_tables()["TableNames"]:
        for item in dynamodb.scan(TableName=table)["Items"]:
            assert "alice@example.com" not in str(item).lower(), (table, item)
