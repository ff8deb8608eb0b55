"""`mkt campaigns …`: create, send and resume (following progress), schedule, status, test-send, retry."""

from __future__ import annotations

import argparse
from typing import Any

from marketing_cli.arguments import add_paging
from marketing_cli.client import ApiClient
from marketing_cli.waiting import bar, follow

# draft: a scheduled start that was refused; paused: waits for `resume` (the reason is shown)
FINISHED = ("sent", "cancelled", "draft", "paused")


def _describe(campaign: dict[str, Any]) -> str:
    progress = campaign["progress"]
    handled = progress["sent"] + progress["failed"] + progress["suppressed"]
    return (
        f"{campaign['status']:<9} {bar(handled, progress['total'])}  sent {progress['sent']}  "
        f"suppressed {progress['suppressed']}  failed {progress['failed']}  queued {progress['queued']}"
    )


def _follow(client: ApiClient, campaign_id: str) -> Any:
    return follow(
        lambda: client.call("GET", f"campaigns/{campaign_id}/"),
        lambda current: current["status"] in FINISHED,
        _describe,
    )


def campaigns_list(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", "campaigns/", query={"limit": args.limit, "next": args.next})


def campaigns_create(client: ApiClient, args: argparse.Namespace) -> Any:
    body = {
        "name": args.name,
        "template_id": args.template_id,
        "segment_id": args.segment_id,
        "from_name": args.from_name,
    }
    for field in ("subject", "from_email", "reply_to"):
        if getattr(args, field):
            body[field] = getattr(args, field)
    return client.call("POST", "campaigns/", body)


def _post_and_follow(action: str):
    """`send` and `resume`: the call, then the send's progress until it ends (unless --no-wait)."""

    def call(client: ApiClient, args: argparse.Namespace) -> Any:
        started = client.call("POST", f"campaigns/{args.id}/{action}/")
        return started if args.no_wait else _follow(client, args.id)

    return call


def campaigns_schedule(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", f"campaigns/{args.id}/schedule/", {"scheduled_at": args.at})


def campaigns_status(client: ApiClient, args: argparse.Namespace) -> Any:
    campaign = _follow(client, args.id) if args.follow else client.call("GET", f"campaigns/{args.id}/")
    return {**campaign, "analytics": client.call("GET", f"campaigns/{args.id}/analytics/")}


def _post(action: str):
    def call(client: ApiClient, args: argparse.Namespace) -> Any:
        return client.call("POST", f"campaigns/{args.id}/{action}/")

    return call


def campaigns_test(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", f"campaigns/{args.id}/test-send/", {"emails": args.emails})


def add_campaigns(resources: argparse._SubParsersAction) -> None:
    campaigns = resources.add_parser("campaigns", help="campaigns").add_subparsers(dest="action", required=True)
    listing = campaigns.add_parser("list", help="list campaigns, newest first")
    add_paging(listing)
    listing.set_defaults(func=campaigns_list)
    create = campaigns.add_parser("create", help="create a draft campaign")
    create.add_argument("--name", required=True)
    create.add_argument("--template-id", required=True)
    create.add_argument("--segment-id", required=True)
    create.add_argument("--from-name", required=True)
    create.add_argument("--subject", help="overrides the template's subject")
    create.add_argument("--from-email", help="default: the platform's sender address")
    create.add_argument("--reply-to")
    create.set_defaults(func=campaigns_create)
    for name, text in (
        ("send", "send now and follow the progress"),
        ("resume", "send on a paused campaign (paused by staff or the reputation guard) and follow the progress"),
    ):
        sending = campaigns.add_parser(name, help=text)
        sending.add_argument("id")
        sending.add_argument("--no-wait", action="store_true", help="return once it is sending")
        sending.set_defaults(func=_post_and_follow(name))
    schedule = campaigns.add_parser("schedule", help="send at a time (scheduling again replaces it)")
    schedule.add_argument("id")
    schedule.add_argument("--at", required=True, help="ISO 8601 with a time zone, e.g. 2026-12-01T09:00:00Z")
    schedule.set_defaults(func=campaigns_schedule)
    status = campaigns.add_parser("status", help="progress and analytics")
    status.add_argument("id")
    status.add_argument("--follow", action="store_true", help="show a live progress bar until the send ends")
    status.set_defaults(func=campaigns_status)
    test = campaigns.add_parser("test-send", help="send a [Test] copy to these addresses")
    test.add_argument("id")
    test.add_argument("emails", nargs="+")
    test.set_defaults(func=campaigns_test)
    for name, func, text in (
        ("cancel", _post("cancel"), "cancel a scheduled, sending or paused campaign"),
        ("pause", _post("pause"), "hold a sending campaign's deliveries"),
        ("retry-failed", _post("retry-failed"), "send again to the recipients that failed"),
    ):
        action = campaigns.add_parser(name, help=text)
        action.add_argument("id")
        action.set_defaults(func=func)
