"""`mkt campaigns send` and `resume`: each makes its call, then follows the send with one progress
bar until it ends (a resumed campaign is seen sending on), unless `--no-wait`. Against a stand-in
for the API client that answers from a script."""

from __future__ import annotations

from typing import Any

import pytest

from marketing_cli import waiting
from marketing_cli.main import build_parser


def campaign(status: str, sent: int, total: int = 60) -> dict[str, Any]:
    progress = {"total": total, "sent": sent, "failed": 0, "suppressed": 0, "queued": total - sent}
    return {"id": "cmp_1", "status": status, "progress": progress}


class ScriptedClient:
    """Answers each call with the next of `answers`, and remembers the calls."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str]] = []

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        self.calls.append((method, path))
        return self.answers.pop(0)


def run(client: ScriptedClient, *argv: str) -> Any:
    args = build_parser().parse_args(["campaigns", *argv])
    return args.func(client, args)


@pytest.mark.parametrize("action", ["send", "resume"])
def test_the_command_follows_the_send_with_the_progress_bar_until_it_ends(action, monkeypatch, capsys):
    monkeypatch.setattr(waiting.time, "sleep", lambda seconds: None)
    client = ScriptedClient(
        [campaign("sending", 10), campaign("sending", 10), campaign("sending", 40), campaign("sent", 60)]
    )

    finished = run(client, action, "cmp_1")

    assert client.calls == [("POST", f"campaigns/cmp_1/{action}/")] + [("GET", "campaigns/cmp_1/")] * 3
    assert finished["status"] == "sent"
    assert capsys.readouterr().err.splitlines() == [
        "sending   [#####.........................] 10/60  16%  sent 10  suppressed 0  failed 0  queued 50",
        "sent      [##############################] 60/60 100%  sent 60  suppressed 0  failed 0  queued 0",
    ]


@pytest.mark.parametrize("action", ["send", "resume"])
def test_no_wait_returns_what_the_call_answered(action):
    client = ScriptedClient([campaign("sending", 10)])
    assert run(client, action, "cmp_1", "--no-wait") == campaign("sending", 10)
    assert client.calls == [("POST", f"campaigns/cmp_1/{action}/")]
