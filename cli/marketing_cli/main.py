"""`mkt`: the staff command line for the marketing platform's admin API.

Requests are signed with SigV4 using the normal AWS credential chain (environment, profile, SSO,
instance role): what you may call is what your IAM principal's policy allows (the stack's
marketing manager or analyst policy). `--local` targets local mode with its staff credentials
instead, as the manager, or as the read-only analyst with `--role analyst` (or MKT_LOCAL_ROLE).

    mkt --local bootstrap                     # what a new shop starts with, once
    mkt --local templates list
    mkt --local --role analyst campaigns list
    mkt --local contacts import customers.csv
    mkt --local segments refresh seg_123
    mkt --local events publish order.paid --detail @order.json
    mkt --local automations create --file welcome.yaml
    mkt --local gift-cards create --amount 50.00
    mkt --local loyalty adjust user-42 --points 100 --reason "Goodwill"
    mkt --api-url https://abc.execute-api.eu-west-2.amazonaws.com/api/v1/marketing templates list
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from marketing.catalog.staff_roles import StaffRole
from marketing_cli import audience, automations, bootstrap, campaigns, growth
from marketing_cli.arguments import add_paging
from marketing_cli.client import ApiClient, ApiError


def _client(args: argparse.Namespace) -> ApiClient:
    if args.local:
        return ApiClient.local(args.api_url, _local_role(args.role))
    if args.role:
        raise SystemExit("mkt: --role chooses a local key pair (with --local); in AWS your credentials' policy decides")
    if not args.api_url:
        raise SystemExit("mkt: give --api-url (or MKT_API_URL), or --local for local mode")
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    credentials = session.get_credentials()
    if credentials is None:
        raise SystemExit("mkt: no AWS credentials found (see `aws configure`)")
    return ApiClient(args.api_url, credentials.get_frozen_credentials(), session.region_name or "eu-west-2")


def _local_role(given: str | None) -> StaffRole:
    """--role, else MKT_LOCAL_ROLE (read only in local mode, so it can stay set), else the manager."""
    name = given or os.environ.get("MKT_LOCAL_ROLE") or StaffRole.MANAGER
    try:
        return StaffRole(name)
    except ValueError:
        raise SystemExit(f"mkt: MKT_LOCAL_ROLE is one of {', '.join(StaffRole)}, not {name!r}") from None


def _detail(detail: dict[str, Any]) -> str:
    """One line per error detail: `field: reason` for invalid input, else its items (a refused permission)."""
    if "field" in detail:
        return f"{detail['field']}: {detail.get('reason')}"
    return ", ".join(f"{key}: {value}" for key, value in detail.items())


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False))


def _read(path: str | None) -> str | None:
    return Path(path).read_text() if path else None


# --- templates -------------------------------------------------------------------------------
def templates_list(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", "templates/", query={"limit": args.limit, "next": args.next})


def _given_template_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {
        "name": args.name,
        "category": args.category,
        "subject": args.subject,
        "html_content": _read(args.html),
        "text_content": _read(args.text),
    }
    return {key: value for key, value in fields.items() if value is not None}


def templates_create(client: ApiClient, args: argparse.Namespace) -> Any:
    body: dict[str, Any] = json.loads(Path(args.file).read_text()) if args.file else {}
    return client.call("POST", "templates/", {**body, **_given_template_fields(args)})


def templates_show(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", f"templates/{args.id}/")


def templates_update(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("PATCH", f"templates/{args.id}/", _given_template_fields(args))


def templates_delete(client: ApiClient, args: argparse.Namespace) -> Any:
    client.call("DELETE", f"templates/{args.id}/")
    return {"deleted": args.id}


def templates_preview(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", f"templates/{args.id}/preview/", {"data": json.loads(args.data or "{}")})


# --- contacts --------------------------------------------------------------------------------
def contacts_list(client: ApiClient, args: argparse.Namespace) -> Any:
    query = {"limit": args.limit, "next": args.next, "email": args.email, "stage": args.stage, "tag": args.tag}
    return client.call("GET", "contacts/", query=query)


def _given_contact_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {
        "email": args.email,
        "first_name": args.first_name,
        "last_name": args.last_name,
        "lifecycle_stage": args.stage,
        "tags": args.tags.split(",") if args.tags is not None else None,
    }
    return {key: value for key, value in fields.items() if value is not None}


def contacts_create(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", "contacts/", _given_contact_fields(args))


def contacts_update(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("PATCH", f"contacts/{args.id}/", _given_contact_fields(args))


def contacts_show(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", f"contacts/{args.id}/")


def contacts_delete(client: ApiClient, args: argparse.Namespace) -> Any:
    client.call("DELETE", f"contacts/{args.id}/")
    return {"erased": args.id}


def _contact_fields(parser: argparse.ArgumentParser, email_required: bool) -> None:
    parser.add_argument("--email", required=email_required)
    parser.add_argument("--first-name")
    parser.add_argument("--last-name")
    parser.add_argument("--stage", help="lifecycle stage: lead, customer, repeat_customer, vip, churned")
    parser.add_argument("--tags", help="comma-separated tags (replaces the contact's tags)")


def _add_contacts(resources: argparse._SubParsersAction) -> None:
    contacts = resources.add_parser("contacts", help="contacts").add_subparsers(dest="action", required=True)
    listing = contacts.add_parser("list", help="list contacts")
    add_paging(listing)
    listing.add_argument("--email", help="exact address, any case")
    listing.add_argument("--stage")
    listing.add_argument("--tag")
    listing.set_defaults(func=contacts_list)
    create = contacts.add_parser("create", help="create a contact")
    _contact_fields(create, email_required=True)
    create.set_defaults(func=contacts_create)
    update = contacts.add_parser("update", help="change a contact's fields")
    update.add_argument("id")
    _contact_fields(update, email_required=False)
    update.set_defaults(func=contacts_update)
    for name, func, text in (("show", contacts_show, "show a contact"), ("delete", contacts_delete, "erase a contact")):
        action = contacts.add_parser(name, help=text)
        action.add_argument("id")
        action.set_defaults(func=func)
    audience.add_import(contacts)


# --- subscribers -----------------------------------------------------------------------------
def subscribers_list(client: ApiClient, args: argparse.Namespace) -> Any:
    query = {"limit": args.limit, "next": args.next, "status": args.status, "email": args.email}
    return client.call("GET", "subscribers/", query=query)


def subscribers_unsubscribe(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("DELETE", f"subscribers/{args.id}/")


def _add_subscribers(resources: argparse._SubParsersAction) -> None:
    subscribers = resources.add_parser("subscribers", help="subscribers").add_subparsers(dest="action", required=True)
    listing = subscribers.add_parser("list", help="list subscribers")
    add_paging(listing)
    listing.add_argument("--status", choices=["subscribed", "unsubscribed", "bounced", "complained"])
    listing.add_argument("--email", help="the subscriber of this address (any case)")
    listing.set_defaults(func=subscribers_list)
    unsubscribe = subscribers.add_parser("unsubscribe", help="unsubscribe (idempotent)")
    unsubscribe.add_argument("id")
    unsubscribe.set_defaults(func=subscribers_unsubscribe)


def _template_fields(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--name", required=required)
    parser.add_argument(
        "--category", choices=["transactional", "promotional", "newsletter", "automation"], required=required
    )
    parser.add_argument("--subject", required=required)
    parser.add_argument("--html", metavar="FILE", required=required, help="file with the HTML content")
    parser.add_argument("--text", metavar="FILE", help="file with the plain-text content")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mkt", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--local", action="store_true", help="talk to local mode (local staff credentials)")
    parser.add_argument(
        "--role",
        choices=[role.value for role in StaffRole],
        help="with --local: the staff role whose local key pair signs (env MKT_LOCAL_ROLE; default manager)",
    )
    parser.add_argument(
        "--api-url",
        default=os.environ.get("MKT_API_URL"),
        help="base URL ending in /api/v1/marketing (env MKT_API_URL)",
    )
    parser.add_argument("--profile", default=os.environ.get("AWS_PROFILE"), help="AWS profile to sign with")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION"), help="region of the API")
    resources = parser.add_subparsers(dest="resource", required=True)

    templates = resources.add_parser("templates", help="email templates").add_subparsers(dest="action", required=True)
    listing = templates.add_parser("list", help="list templates, newest first")
    add_paging(listing)
    listing.set_defaults(func=templates_list)
    create = templates.add_parser("create", help="create a template (fields, or --file with JSON)")
    create.add_argument("--file", help="JSON file with the template's fields")
    _template_fields(create, required=False)
    create.set_defaults(func=templates_create)
    for name, func in (("show", templates_show), ("delete", templates_delete)):
        action = templates.add_parser(name, help=f"{name} a template")
        action.add_argument("id")
        action.set_defaults(func=func)
    update = templates.add_parser("update", help="change a template's fields")
    update.add_argument("id")
    _template_fields(update, required=False)
    update.set_defaults(func=templates_update)
    preview = templates.add_parser("preview", help="render with sample data")
    preview.add_argument("id")
    preview.add_argument("--data", help='JSON merge-tag values, e.g. \'{"first_name": "Sam"}\'')
    preview.set_defaults(func=templates_preview)
    _add_contacts(resources)
    _add_subscribers(resources)
    audience.add_segments(resources)
    audience.add_events(resources)
    campaigns.add_campaigns(resources)
    automations.add_automations(resources)
    growth.add_gift_cards(resources)
    growth.add_loyalty(resources)
    growth.add_referrals(resources)
    bootstrap.add_bootstrap(resources)
    return parser


def _report(error: ApiError) -> None:
    """The error's message, then each detail it does not already say (a one-field validation error's
    message is its detail)."""
    message = str(error)
    print(f"mkt: {message}", file=sys.stderr)
    if isinstance(error.body, dict):
        for detail in (error.body.get("error") or {}).get("details", []):
            line = _detail(detail)
            if line not in message:
                print(f"  - {line}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    client = _client(args)
    try:
        _print(args.func(client, args))
    except ApiError as error:
        _report(error)
        return 1
    except TimeoutError as error:
        print(f"mkt: {error}", file=sys.stderr)
        return 3
    except OSError as error:
        print(f"mkt: cannot reach the API at {client.base_url}/: {getattr(error, 'reason', error)}", file=sys.stderr)
        if args.local:
            print("  is local mode running (make run)? mkt --local calls the port in MKT_API_PORT", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
