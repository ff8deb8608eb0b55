"""Contacts over HTTP against local mode: uniqueness holds under concurrent requests."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from marketing_cli.client import ApiClient

pytestmark = pytest.mark.e2e


def test_concurrent_creates_of_one_address_in_any_case_make_one_contact(local_stack):
    staff = local_stack.staff()
    spellings = ["race@example.com", "RACE@example.com", "Race@Example.COM", "race@EXAMPLE.com"] * 3
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda email: staff.send("POST", "contacts/", {"email": email}).status, spellings))
    assert sorted(statuses) == [201] + [409] * (len(spellings) - 1)
    found = staff.call("GET", "contacts/", query={"email": "race@example.com"})
    assert len(found["items"]) == 1


def test_the_staff_cli_creates_finds_and_erases_a_contact(local_stack):
    mkt = [str(Path(sys.executable).parent / "mkt"), "--local", "--api-url", local_stack.api_url, "contacts"]

    def run(*args: str) -> dict:
        return json.loads(subprocess.run([*mkt, *args], capture_output=True, text=True, check=True).stdout)

    created = run("create", "--email", "Cli@Example.com", "--first-name", "Cli", "--tags", "vip,Beta")
    assert created["tags"] == ["vip", "beta"]
    assert [item["id"] for item in run("list", "--email", "cli@example.com")["items"]] == [created["id"]]
    assert run("update", created["id"], "--stage", "vip")["lifecycle_stage"] == "vip"
    duplicate = subprocess.run([*mkt, "create", "--email", "CLI@example.com"], capture_output=True, text=True)
    assert duplicate.returncode == 1
    assert "email: already used by another contact" in duplicate.stderr
    assert run("delete", created["id"]) == {"erased": created["id"]}
    assert run("list", "--email", "cli@example.com")["items"] == []


def test_export_then_erasure_over_http(local_stack):
    token = local_stack.customer_token("u-gina", "gina@example.com")
    headers = {"Authorization": f"Bearer {token}"}
    app = ApiClient(local_stack.api_url, None, "eu-west-2")
    subscriber = app.send("POST", "subscribers/", {"first_name": "Gina"}, headers=headers).body
    staff = local_stack.staff()
    exported = staff.call("GET", f"contacts/{subscriber['contact_id']}/export/")
    assert (exported["contact"]["first_name"], exported["subscriber"]["status"]) == ("Gina", "subscribed")
    assert staff.send("DELETE", f"contacts/{subscriber['contact_id']}/").status == 204
    assert staff.send("GET", f"contacts/{subscriber['contact_id']}/export/").status == 404
    assert staff.send("GET", f"subscribers/{subscriber['id']}/").status == 404
    assert staff.call("GET", "contacts/", query={"email": "gina@example.com"})["items"] == []
    assert app.send("GET", "subscribers/me/preferences/", headers=headers).status == 404
