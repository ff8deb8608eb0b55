"""`mkt automations …`: create a series from a YAML or JSON file, activate, pause, executions.

# welcome.yaml
name: Welcome series
trigger: user_registered
emails:
  - {order: 1, delay_hours: 0, template_id: tpl_123, subject: "Welcome, {{ first_name }}"}
  - {order: 2, delay_hours: 24, template_id: tpl_456}
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from marketing_cli.arguments import add_paging
from marketing_cli.client import ApiClient


def read_series(path: str) -> Any:
    """The automation in a file: YAML for .yaml/.yml, JSON otherwise."""
    text = Path(path).read_text()
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def automations_create(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("POST", "automations/", read_series(args.file))


def automations_update(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("PATCH", f"automations/{args.id}/", read_series(args.file))


def automations_list(client: ApiClient, args: argparse.Namespace) -> Any:
    return client.call("GET", "automations/", query={"limit": args.limit, "next": args.next})


def automations_executions(client: ApiClient, args: argparse.Namespace) -> Any:
    query = {"limit": args.limit, "next": args.next, "status": args.status}
    return client.call("GET", f"automations/{args.id}/executions/", query=query)


def _by_id(method: str, suffix: str):
    def call(client: ApiClient, args: argparse.Namespace) -> Any:
        return client.call(method, f"automations/{args.id}/{suffix}")

    return call


def add_automations(resources: argparse._SubParsersAction) -> None:
    automations = resources.add_parser("automations", help="welcome and abandoned-cart series").add_subparsers(
        dest="action", required=True
    )
    listing = automations.add_parser("list", help="list automations, newest first")
    add_paging(listing)
    listing.set_defaults(func=automations_list)
    create = automations.add_parser("create", help="create a (paused) automation from a YAML or JSON file")
    create.add_argument("--file", required=True, help="the automation: name, trigger, emails[]")
    create.set_defaults(func=automations_create)
    update = automations.add_parser("update", help="change an automation's fields from a YAML or JSON file")
    update.add_argument("id")
    update.add_argument("--file", required=True)
    update.set_defaults(func=automations_update)
    for name, method, suffix, text in (
        ("show", "GET", "", "show an automation"),
        ("activate", "POST", "activate/", "start taking triggers; send what was held while paused"),
        ("pause", "POST", "pause/", "stop sending; due emails are held until activated"),
        ("analytics", "GET", "analytics/", "entered, completed, stopped and per-email counters"),
        ("delete", "DELETE", "", "delete an automation (its runs stop at their next email)"),
    ):
        action = automations.add_parser(name, help=text)
        action.add_argument("id")
        action.set_defaults(func=_by_id(method, suffix))
    executions = automations.add_parser("executions", help="each contact's latest run")
    executions.add_argument("id")
    executions.add_argument("--status", choices=["pending", "in_progress", "completed", "stopped"])
    add_paging(executions)
    executions.set_defaults(func=automations_executions)
