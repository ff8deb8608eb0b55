"""`mkt bootstrap`: what a new shop starts with, made through the admin API, once.

- an "All Customers" dynamic segment (every contact; sends still skip whoever may not be mailed),
- starter templates: a newsletter, three welcome emails, two abandoned-cart reminders,
- a welcome series (user_registered: at once, a day later, three days later) and an
  abandoned-cart series (cart_abandoned: an hour later, a day later), both paused,
- the loyalty and referral programs saved with their defaults.

Each is found by name first, so running it again (or after a partial run) makes nothing twice
and changes nothing that exists: a template a marketer edited stays as edited. It works the
same against a deployment (`--api-url`) and local mode (`--local`).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from marketing_cli.client import ApiClient

ALL_CUSTOMERS = {
    "name": "All Customers",
    "type": "dynamic",
    "description": "Every contact (made by mkt bootstrap)",
    "criteria": {"min_order_count": 0},
}


def _template(name: str, category: str, subject: str, body: str) -> dict[str, str]:
    html = f"<html><body><p>Hi {{{{ first_name or 'there' }}}},</p>{body}<p>— {{{{ shop_name }}}}</p></body></html>"
    return {"name": name, "category": category, "subject": subject, "html_content": html}


TEMPLATES = [
    _template(
        "Newsletter (starter)", "newsletter", "News from {{ shop_name }}", "<p>Here is what is new this month.</p>"
    ),
    _template(
        "Welcome 1: hello (starter)",
        "automation",
        "Welcome to {{ shop_name }}, {{ first_name or 'friend' }}",
        "<p>Thanks for joining us. Here is what to expect from our emails.</p>",
    ),
    _template(
        "Welcome 2: best sellers (starter)",
        "automation",
        "Our best sellers",
        "<p>These are the pieces our customers come back for.</p>",
    ),
    _template(
        "Welcome 3: first-order offer (starter)",
        "automation",
        "A thank-you for your first order",
        "<p>Ready for your first order? Our referral and loyalty programs reward you from day one.</p>",
    ),
    _template(
        "Abandoned cart 1: reminder (starter)",
        "automation",
        "You left something in your cart",
        "<p>Your cart is waiting{% if cart.total %} ({{ cart.total }}){% endif %}. "
        "<a href=\"{{ cart.url or '#' }}\">Back to your cart</a></p>",
    ),
    _template(
        "Abandoned cart 2: last call (starter)",
        "automation",
        "Still thinking it over?",
        "<p>Your items are still in your cart. <a href=\"{{ cart.url or '#' }}\">Finish your order</a></p>",
    ),
]
SERIES = [
    (
        {"name": "Welcome series", "trigger": "user_registered"},
        [
            ("Welcome 1: hello (starter)", 0),
            ("Welcome 2: best sellers (starter)", 24),
            ("Welcome 3: first-order offer (starter)", 72),
        ],
    ),
    (
        {"name": "Abandoned cart", "trigger": "cart_abandoned"},
        [("Abandoned cart 1: reminder (starter)", 1), ("Abandoned cart 2: last call (starter)", 24)],
    ),
]
PROGRAMS = ("loyalty/program/", "referrals/program/")


def _all(client: ApiClient, path: str) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        page = client.call("GET", path, query={"limit": 100, "next": cursor})
        yield from page["items"]
        cursor = page.get("next")
        if not cursor:
            return


def _by_name(client: ApiClient, path: str) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in _all(client, path)}


def bootstrap(client: ApiClient, _args: argparse.Namespace) -> dict[str, Any]:
    created: list[str] = []
    existing: list[str] = []

    def ensure(path: str, known: dict[str, dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
        if body["name"] in known:
            existing.append(f"{path}{body['name']}")
            return known[body["name"]]
        made = client.call("POST", path, body)
        known[body["name"]] = made
        created.append(f"{path}{body['name']}")
        return made

    ensure("segments/", _by_name(client, "segments/"), ALL_CUSTOMERS)
    templates = _by_name(client, "templates/")
    ids = {template["name"]: ensure("templates/", templates, template)["id"] for template in TEMPLATES}
    automations = _by_name(client, "automations/")
    for fields, emails in SERIES:
        series = [
            {"order": order, "delay_hours": delay, "template_id": ids[name]}
            for order, (name, delay) in enumerate(emails, start=1)
        ]
        ensure("automations/", automations, {**fields, "emails": series})  # created paused
    for path in PROGRAMS:
        if client.call("GET", path).get("updated_at") is None:  # never saved: save the defaults
            client.call("PATCH", path, {})
            created.append(path)
        else:
            existing.append(path)
    return {"created": created, "existing": existing}


def add_bootstrap(resources: argparse._SubParsersAction) -> None:
    command = resources.add_parser(
        "bootstrap", help="create what a new shop starts with (segment, templates, paused series, programs); idempotent"
    )
    command.set_defaults(func=bootstrap)
