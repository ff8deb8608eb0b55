"""`mkt contacts import`, `mkt segments …` and `mkt events publish`."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from marketing.catalog.topology import shop_event_entries
from marketing_cli.arguments import add_paging
from marketing_cli.client import ApiClient
from marketing_cli.waiting import bar, follow


def _json_argument(value: str) -> Any:
    """A JSON value given inline or, as `@path`, in a file."""
    return json.loads(Path(value[1:]).read_text() if value.startswith("@") else value)


# --- contacts import ---------------------------------------------------------------------------
def _count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return max(0, sum(1 for row in csv.reader(handle) if any(cell.strip() for cell in row)) - 1)


def contacts_import(client: ApiClient, args: argparse.Namespace) -> Any:
    path = Path(args.file)
    total = _count_rows(path)
    body: dict[str, Any] = {"filename": path.name}
    if args.consent_method:
        consent = {"method": args.consent_method, "source": args.consent_source, "collected_on": args.consent_date}
        body["consent"] = {name: value for name, value in consent.items() if value}
    created = client.call("POST", "contacts/imports/", body)
    upload = urllib.request.Request(  # noqa: S310 - the URL the API gave, http(s) only
        created["upload"]["url"], data=path.read_bytes(), method="PUT", headers={"Content-Type": "text/csv"}
    )
    with urllib.request.urlopen(upload, timeout=300):  # noqa: S310
        pass
    if args.no_wait:
        return created

    def describe(current: dict[str, Any]) -> str:
        counts = current["counts"]
        return (
            f"{current['status']:<16} {bar(counts['rows'], total)}  created {counts['created']}  "
            f"updated {counts['updated']}  unchanged {counts['unchanged']}  rejected {counts['rejected']}"
            + (f"  awaiting confirmation {counts['awaiting_confirmation']}" if counts["awaiting_confirmation"] else "")
        )

    return follow(
        lambda: client.call("GET", f"contacts/imports/{created['id']}/"),
        lambda current: current["status"] in ("completed", "failed"),
        describe,
    )


def add_import(contacts: argparse._SubParsersAction) -> None:
    command = contacts.add_parser("import", help="import a CSV file, following its progress")
    command.add_argument(
        "file",
        help="CSV: email, first_name, last_name, user_id, lifecycle_stage, tags, subscribed, "
        "consent_method, consent_source, consent_date",
    )
    command.add_argument(
        "--consent-method",
        help="how everyone in the file agreed to receive email, where a row does not say (consent_method): "
        "without it, subscribed=yes rows are imported as contacts waiting for a re-permission email",
    )
    command.add_argument("--consent-source", help="where that consent was collected (a form's URL, a list)")
    command.add_argument("--consent-date", help="when it was collected (YYYY-MM-DD)")
    command.add_argument("--no-wait", action="store_true", help="upload and return without following progress")
    command.set_defaults(func=contacts_import)
    confirmations = contacts.add_parser(
        "ask-confirmations",
        help="send an import's rows that wait for a confirmation their re-permission (double opt-in) email",
    )
    confirmations.add_argument("import_id")
    confirmations.set_defaults(
        func=lambda client, args: client.call("POST", f"contacts/imports/{args.import_id}/confirmations/")
    )


# --- segments ----------------------------------------------------------------------------------
def segments_list(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", "segments/", query={"limit": args.limit, "next": args.next})


def segments_create(client: ApiClient, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = {"name": args.name, "type": args.type, "description": args.description or ""}
    if args.criteria:
        body["criteria"] = _json_argument(args.criteria)
    if args.contact_ids:
        body["contact_ids"] = args.contact_ids.split(",")
    return client.call("POST", "segments/", body)


def segments_show(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", f"segments/{args.id}/")


def segments_delete(client: ApiClient, args: argparse.Namespace) -> Any:
    client.call("DELETE", f"segments/{args.id}/")
    return {"deleted": args.id}


def segments_members(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", f"segments/{args.id}/contacts/", query={"limit": args.limit, "next": args.next})


def segments_refresh(client: ApiClient, args: argparse.Namespace) -> Any:
    queued = client.call("POST", f"segments/{args.id}/refresh/")
    if args.no_wait:
        return queued
    return follow(
        lambda: client.call("GET", f"segments/{args.id}/"),
        lambda current: current["refresh_status"] == "idle" and current["refreshed_at"] != queued["refreshed_at"],
        lambda current: f"{current['refresh_status']:<8} {current['contact_count']} contacts",
    )


def add_segments(resources: argparse._SubParsersAction) -> None:
    segments = resources.add_parser("segments", help="segments").add_subparsers(dest="action", required=True)
    listing = segments.add_parser("list", help="list segments")
    add_paging(listing)
    listing.set_defaults(func=segments_list)
    create = segments.add_parser("create", help="create a static or dynamic segment")
    create.add_argument("--name", required=True)
    create.add_argument("--type", choices=["static", "dynamic"], required=True)
    create.add_argument("--description")
    create.add_argument("--criteria", help='dynamic: JSON or @file, e.g. \'{"all": [{"min_order_count": 1}]}\'')
    create.add_argument("--contact-ids", help="static: comma-separated contact ids")
    create.set_defaults(func=segments_create)
    for name, func, text in (
        ("show", segments_show, "show a segment"),
        ("delete", segments_delete, "delete a segment"),
    ):
        action = segments.add_parser(name, help=text)
        action.add_argument("id")
        action.set_defaults(func=func)
    members = segments.add_parser("members", help="page through a segment's contacts")
    members.add_argument("id")
    add_paging(members)
    members.set_defaults(func=segments_members)
    refresh = segments.add_parser("refresh", help="recompute a segment's members and wait for it")
    refresh.add_argument("id")
    refresh.add_argument("--no-wait", action="store_true", help="queue the refresh and return")
    refresh.set_defaults(func=segments_refresh)


# --- shop events -------------------------------------------------------------------------------
def events_publish(client: ApiClient, args: argparse.Namespace) -> Any:
    event = {"detail-type": args.detail_type, "detail": _json_argument(args.detail)}
    if args.local:
        parts = urlsplit(client.base_url)
        request = urllib.request.Request(  # noqa: S310 - local mode's own origin
            f"{parts.scheme}://{parts.netloc}/local/events?wait={args.wait}",
            data=json.dumps(event).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=args.wait + 30) as response:  # noqa: S310
            published = json.loads(response.read())
        if published.get("handled") is False:
            print(
                f"mkt: published; the worker had not handled it after {args.wait:g} s (see local mode's output)",
                file=sys.stderr,
            )
        return published
    if not args.bus:
        raise SystemExit("mkt: give --bus (or MKT_EVENT_BUS): the shop event bus's name, from the stack outputs")
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    return session.client("events").put_events(Entries=shop_event_entries([event], args.bus))


def add_events(resources: argparse._SubParsersAction) -> None:
    events = resources.add_parser("events", help="the shop's events").add_subparsers(dest="action", required=True)
    publish = events.add_parser("publish", help="publish one shop event (source shop) on the event bus")
    publish.add_argument("detail_type", metavar="TYPE", help="user.registered, contact.upserted, order.paid, …")
    publish.add_argument("--detail", required=True, help="the event's detail: JSON, or @file")
    publish.add_argument("--bus", default=os.environ.get("MKT_EVENT_BUS"), help="event bus name (not with --local)")
    publish.add_argument(
        "--wait",
        type=float,
        default=30,
        metavar="SECONDS",
        help="with --local: return once the worker handled the event, waiting at most this long (0: at once)",
    )
    publish.set_defaults(func=events_publish)
