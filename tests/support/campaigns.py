"""A shop with an audience and a campaign, driven through the API handler and the workers
in-process, and the outbox read back from moto's SES backend."""

from __future__ import annotations

import email
import importlib
import re
from email import policy
from email.message import EmailMessage
from typing import Any

from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS, OPENS, SES_EVENTS, SHOP_EVENTS
from tests.support.events import STAFF, call, customer
from tests.support.queues import deliver, receive

TEMPLATE = {
    "name": "Winter sale",
    "category": "promotional",
    "subject": "Hello {{ first_name }}, the sale is on",
    "html_content": '<html><body><p>Hi {{ first_name }},</p><p><a href="https://shop.example/sale?a=1&amp;b=2">Shop '
    "the sale</a></p></body></html>",
    "text_content": "Hi {{ first_name }}, shop the sale: https://shop.example/sale?a=1&b=2.",
}
WORKERS = {
    CAMPAIGN_SENDS: "workers.campaign_send",
    CAMPAIGN_DELIVERIES: "workers.campaign_delivery",
    SES_EVENTS: "workers.ses_events",
    OPENS: "workers.opens",
    SHOP_EVENTS: "workers.shop_events",
}


def staff(api, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
    return call(api, method, path, body, authorizer=STAFF, **kwargs)


def subscriber(api, email_address: str, first_name: str, *, subscribed: bool = True) -> dict[str, Any]:
    """A contact who subscribed on the website (and unsubscribed again unless `subscribed`)."""
    user = customer(email_address.split("@")[0], email_address)
    status, created = call(api, "POST", "/subscribers/", {"first_name": first_name}, authorizer=user)
    assert status in (200, 201), created
    if not subscribed:
        status, created = staff(api, "DELETE", f"/subscribers/{created['id']}/")
        assert status == 200, created
    return created


def campaign_for(api, contact_ids: list[str], **fields: Any) -> dict[str, Any]:
    """A draft campaign of the sale template to a static segment of `contact_ids`."""
    status, template = staff(api, "POST", "/templates/", TEMPLATE)
    assert status == 201, template
    status, segment = staff(
        api, "POST", "/segments/", {"name": "Sale list", "type": "static", "contact_ids": contact_ids}
    )
    assert status == 201, segment
    body = {"name": "Winter sale", "template_id": template["id"], "segment_id": segment["id"], "from_name": "Shop"}
    status, campaign = staff(api, "POST", "/campaigns/", {**body, **fields})
    assert status == 201, campaign
    return campaign


def sent_to_subscribers(resources: dict[str, str], api, count: int) -> dict[str, Any]:
    """A campaign sent to `count` new subscribers (p0@example.com, p1@…), its workers drained."""
    people = [subscriber(api, f"p{n}@example.com", f"P{n}") for n in range(count)]
    campaign = campaign_for(api, [person["contact_id"] for person in people])
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(resources)
    return campaign


def handler(queue) -> Any:
    return importlib.import_module(WORKERS[queue]).lambda_handler


def drain(resources: dict[str, str], *queues, rounds: int = 50) -> None:
    """Runs each queue's worker on what is on it until every queue is empty."""
    queues = queues or (CAMPAIGN_SENDS, CAMPAIGN_DELIVERIES)
    for _ in range(rounds):
        busy = False
        for queue in queues:
            messages = receive(resources[queue.env_var])
            if messages:
                busy = True
                deliver(handler(queue), resources[queue.env_var], messages)
        if not busy:
            return
    raise AssertionError("queues did not drain")


def outbox() -> list[EmailMessage]:
    from moto.ses.models import ses_backends

    messages = ses_backends["123456789012"]["eu-west-2"].sent_messages
    return [email.message_from_string(message.raw_data, policy=policy.default) for message in messages]


def parts(message: EmailMessage) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def links(html: str, kind: str) -> list[str]:
    """The `track/<kind>` URLs of a rendered email, as paths below the API base."""
    found = re.findall(r'(?:href|src)="https://marketing\.test/api/v1/marketing(/track/' + kind + r'/[^"]+)"', html)
    return [path.replace("&amp;", "&") for path in found]
