"""`mkt --local` as either local staff role, against the local gateway (with a stand-in for the API
function): the analyst's key pair reads, and a refused call prints why; it calls the port local mode
runs on (MKT_API_PORT), names the URL it cannot reach, and says each error once."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from marketing.catalog.api_routes import BASE_PATH
from marketing.catalog.staff_roles import StaffRole
from marketing_cli.client import LOCAL_CREDENTIALS
from marketing_cli.main import main
from marketing_local.config import STAFF_KEY_PAIRS
from marketing_local.gateway import Gateway


class StubFunction:
    name = "api"

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.result = {"statusCode": 200, "body": '{"items": []}', "headers": {"Content-Type": "application/json"}}

    def invoke(self, event: dict) -> dict:
        self.events.append(event)
        return self.result


@pytest.fixture
def local_gateway() -> Iterator[tuple[str, StubFunction]]:
    api = StubFunction()
    server = make_server("127.0.0.1", 0, Gateway(api, identity=None, local_routes={}))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{BASE_PATH}", api
    server.shutdown()


def _callers(api: StubFunction) -> list[str]:
    return [event["requestContext"]["authorizer"]["iam"]["accessKey"] for event in api.events]


def test_the_cli_has_a_local_key_pair_for_every_staff_role_that_the_gateway_accepts_as_that_role():
    assert set(LOCAL_CREDENTIALS) == set(StaffRole)
    for role, credentials in LOCAL_CREDENTIALS.items():
        pair = STAFF_KEY_PAIRS[credentials.access_key]
        assert (pair.secret_key, pair.role) == (credentials.secret_key, role)


def test_local_mode_acts_as_the_manager_unless_told_otherwise(local_gateway, monkeypatch):
    url, api = local_gateway
    monkeypatch.delenv("MKT_LOCAL_ROLE", raising=False)
    assert main(["--local", "--api-url", url, "templates", "delete", "tpl_1"]) == 0
    assert _callers(api) == ["local-staff"]


@pytest.mark.parametrize("how", [["--role", "analyst"], []])
def test_the_analyst_reads_and_a_refused_write_prints_the_missing_permission(local_gateway, monkeypatch, capsys, how):
    url, api = local_gateway
    monkeypatch.setenv("MKT_LOCAL_ROLE", "manager" if how else "analyst")  # --role wins over the variable
    assert main(["--local", *how, "--api-url", url, "templates", "list"]) == 0
    capsys.readouterr()
    assert main(["--local", *how, "--api-url", url, "templates", "delete", "tpl_1"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "mkt: HTTP 403: the marketing analyst role may not DELETE /templates/{template_id}/: "
        "it needs the marketing manager role",
        "  - permission: execute-api:Invoke, route: DELETE /templates/{template_id}/, role: analyst, "
        "required_role: manager",
    ]
    assert _callers(api) == ["local-analyst"]


def test_a_role_is_only_chosen_for_local_mode(monkeypatch):
    monkeypatch.delenv("MKT_LOCAL_ROLE", raising=False)
    with pytest.raises(SystemExit, match="--role"):
        main(["--role", "analyst", "--api-url", "https://api.example/api/v1/marketing", "templates", "list"])


def test_an_unknown_local_role_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("MKT_LOCAL_ROLE", "admin")
    with pytest.raises(SystemExit, match="'admin'"):
        main(["--local", "templates", "list"])


def test_local_mode_is_called_on_the_port_in_mkt_api_port(local_gateway, monkeypatch):
    url, api = local_gateway
    monkeypatch.setenv("MKT_API_PORT", str(urlsplit(url).port))
    monkeypatch.delenv("MKT_API_URL", raising=False)
    assert main(["--local", "templates", "list"]) == 0
    assert len(api.events) == 1


def test_an_unreachable_api_is_named_with_its_url(monkeypatch, capsys):
    with socket.socket() as probe:  # a port nothing listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MKT_API_PORT", str(port))
    monkeypatch.delenv("MKT_API_URL", raising=False)
    assert main(["--local", "templates", "list"]) == 2
    error = capsys.readouterr().err
    assert f"mkt: cannot reach the API at http://127.0.0.1:{port}/api/v1/marketing/: " in error
    assert "MKT_API_PORT" in error


def test_a_validation_error_is_printed_once(local_gateway, capsys):
    url, api = local_gateway
    reason = "template syntax error on line 1: unexpected '/'"
    api.result = {
        "statusCode": 400,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(
            {
                "error": {
                    "code": "validation_error",
                    "message": f"html_content: {reason}",
                    "details": [{"field": "html_content", "reason": reason}],
                }
            }
        ),
    }
    assert main(["--local", "--api-url", url, "templates", "show", "tpl_1"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"mkt: HTTP 400: html_content: {reason}"]
