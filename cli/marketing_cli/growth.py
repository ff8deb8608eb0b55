"""`mkt gift-cards …`, `mkt loyalty …`, `mkt referrals …`: the growth tools' staff commands.

mkt --local gift-cards create --amount 50.00 --expires-at 2027-12-31T23:59:59Z
mkt --local gift-cards show gc_123
mkt --local loyalty adjust user-42 --points -150 --reason "Order 1001 was cancelled"
mkt --local loyalty program --points-per-unit 2 --expiry-months never
mkt --local referrals program --referrer-reward points:500 --referee-reward discount_percent:10
"""

from __future__ import annotations

import argparse
from typing import Any

from marketing_cli.arguments import add_paging
from marketing_cli.client import ApiClient


def _given(args: argparse.Namespace, *fields: str) -> dict[str, Any]:
    """The API fields whose options (of the same names) were given."""
    return {field: getattr(args, field) for field in fields if getattr(args, field) is not None}


def _show_or_change(client: ApiClient, path: str, changes: dict[str, Any]) -> Any:
    """A program's settings: changed if any option was given, else shown."""
    return client.call("PATCH", path, changes) if changes else client.call("GET", path)


def _reward(text: str) -> dict[str, str]:
    kind, _, value = text.partition(":")
    if not value:
        raise argparse.ArgumentTypeError("give TYPE:VALUE, e.g. points:500, discount_percent:10, discount_fixed:5.00")
    return {"type": kind, "value": value}


def _months(text: str) -> int | str:
    return "never" if text == "never" else int(text)


def gift_cards_create(client: ApiClient, args: argparse.Namespace) -> Any:
    fields = _given(args, "currency", "expires_at", "recipient_email", "note")
    return client.call("POST", "gift-cards/", {"amount": args.amount, **fields})


def gift_cards_list(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", "gift-cards/", query={"limit": args.limit, "next": args.next})


def gift_cards_show(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", f"gift-cards/{args.id}/")


def gift_cards_disable(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", f"gift-cards/{args.id}/disable/")


def gift_cards_lookup(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", "gift-cards/lookup/", {"code": args.code})


def gift_cards_redeem(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", f"gift-cards/{args.id}/redeem/", {"amount": args.amount, "order_id": args.order_id})


def loyalty_adjust(client: ApiClient, args: argparse.Namespace) -> Any:
    body = {"points": args.points, "reason": args.reason, **_given(args, "idempotency_key")}
    return client.call("POST", f"loyalty/accounts/{args.user_id}/adjust/", body)


def loyalty_show(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", f"loyalty/accounts/{args.user_id}/")


def loyalty_program(client: ApiClient, args: argparse.Namespace) -> Any:
    changes = _given(args, "enabled", "points_per_unit", "redemption_rate", "min_redeem_points", "expiry_months")
    if changes.get("expiry_months") == "never":
        changes["expiry_months"] = None
    return _show_or_change(client, "loyalty/program/", changes)


def referrals_list(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", "referrals/", query={"status": args.status, "limit": args.limit, "next": args.next})


def referrals_program(client: ApiClient, args: argparse.Namespace) -> Any:
    changes = _given(args, "enabled", "referrer_reward", "referee_reward", "min_purchase_amount", "expiry_days")
    return _show_or_change(client, "referrals/program/", changes)


def _add_enabled(parser: argparse.ArgumentParser) -> None:
    switch = parser.add_mutually_exclusive_group()
    switch.add_argument("--enable", dest="enabled", action="store_const", const=True, help="turn the program on")
    switch.add_argument("--disable", dest="enabled", action="store_const", const=False, help="turn the program off")


def add_gift_cards(resources: argparse._SubParsersAction) -> None:
    cards = resources.add_parser("gift-cards", help="gift cards").add_subparsers(dest="action", required=True)
    create = cards.add_parser("create", help="create a card; its code is printed once, never again")
    create.add_argument("--amount", required=True, help="e.g. 50.00")
    create.add_argument("--currency")
    create.add_argument("--expires-at", help="ISO 8601 time (default: never)")
    create.add_argument("--recipient-email")
    create.add_argument("--note")
    create.set_defaults(func=gift_cards_create)
    listing = cards.add_parser("list", help="list cards, newest first")
    add_paging(listing)
    listing.set_defaults(func=gift_cards_list)
    show = cards.add_parser("show", help="a card's balance, status and transactions")
    show.add_argument("id")
    show.set_defaults(func=gift_cards_show)
    disable = cards.add_parser("disable", help="stop a card from being redeemed (lost or stolen); the balance stays")
    disable.add_argument("id")
    disable.set_defaults(func=gift_cards_disable)
    lookup = cards.add_parser("lookup", help="find the card a code belongs to")
    lookup.add_argument("code")
    lookup.set_defaults(func=gift_cards_lookup)
    redeem = cards.add_parser("redeem", help="take an amount off the card for an order (once per order)")
    redeem.add_argument("id")
    redeem.add_argument("--amount", required=True)
    redeem.add_argument("--order-id", required=True)
    redeem.set_defaults(func=gift_cards_redeem)


def add_loyalty(resources: argparse._SubParsersAction) -> None:
    loyalty = resources.add_parser("loyalty", help="loyalty points").add_subparsers(dest="action", required=True)
    adjust = loyalty.add_parser("adjust", help="add (positive) or take off (negative) a customer's points")
    adjust.add_argument("user_id")
    adjust.add_argument("--points", type=int, required=True)
    adjust.add_argument("--reason", required=True)
    adjust.add_argument("--idempotency-key", help="the same key again changes nothing (e.g. a ticket number)")
    adjust.set_defaults(func=loyalty_adjust)
    show = loyalty.add_parser("show", help="a customer's points account")
    show.add_argument("user_id")
    show.set_defaults(func=loyalty_show)
    program = loyalty.add_parser("program", help="show the program's settings, or change those given")
    _add_enabled(program)
    program.add_argument("--points-per-unit", help="points per 1.00 spent, e.g. 1 or 2.5")
    program.add_argument("--redemption-rate", type=int, help="points per 1.00 of discount")
    program.add_argument("--min-redeem-points", type=int)
    program.add_argument("--expiry-months", type=_months, help="months without activity before points expire, or never")
    program.set_defaults(func=loyalty_program)


def add_referrals(resources: argparse._SubParsersAction) -> None:
    referrals = resources.add_parser("referrals", help="referrals").add_subparsers(dest="action", required=True)
    listing = referrals.add_parser("list", help="all referrals, newest first")
    listing.add_argument("--status", choices=["pending", "completed", "expired"])
    add_paging(listing)
    listing.set_defaults(func=referrals_list)
    program = referrals.add_parser("program", help="show the program's settings, or change those given")
    _add_enabled(program)
    program.add_argument("--referrer-reward", type=_reward, help="TYPE:VALUE, e.g. points:500")
    program.add_argument("--referee-reward", type=_reward, help="TYPE:VALUE, e.g. discount_percent:10")
    program.add_argument("--min-purchase-amount", help="the referee's qualifying order, e.g. 20.00")
    program.add_argument("--expiry-days", type=int, help="days a pending referral stays open")
    program.set_defaults(func=referrals_program)
