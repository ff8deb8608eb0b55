"""Local mode, started the way a user starts it (`mkt-local run`), on free loopback ports and a
fresh state folder; stopped with Ctrl-C (SIGINT) at the end, which must exit cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from marketing_cli.client import ApiClient

REPO_ROOT = Path(__file__).resolve().parents[2]
MKT_LOCAL = str(Path(sys.executable).parent / "mkt-local")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalStack:
    origin: str
    moto_endpoint: str
    environment: dict[str, str]
    log: Path
    stopped_after_seconds: float | None = None  # from Ctrl-C to the process's exit, once stopped

    @property
    def api_url(self) -> str:
        return f"{self.origin}/api/v1/marketing"

    def staff(self) -> ApiClient:
        return ApiClient.local(self.api_url)

    def customer_token(self, user_id: str, email: str, ttl: int = 3600) -> str:
        return subprocess.run(
            [MKT_LOCAL, "token", "--user-id", user_id, "--email", email, "--ttl", str(ttl)],
            env=self.environment,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()


@contextmanager
def running_local_stack(state: Path, *run_options: str) -> Iterator[LocalStack]:
    """`mkt-local run` on free ports with its state in `state`; stopped with Ctrl-C afterwards."""
    api_port, moto_port = _free_port(), _free_port()
    environment = {
        **os.environ,
        "MKT_API_PORT": str(api_port),
        "MKT_MOTO_PORT": str(moto_port),
        "MKT_LOCAL_STATE": str(state),
        # Automation hours as tenths of a second: a 0/24/72-hour series runs in about ten seconds.
        "MKT_AUTOMATION_HOUR_SECONDS": "0.1",
    }
    for name in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "TEMPLATES_TABLE"):
        environment.pop(name, None)
    log = state / "local.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [MKT_LOCAL, "run", *run_options], env=environment, stdout=output, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )
    origin = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{origin}/local/health", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"local mode did not start:\n{log.read_text()}")
            time.sleep(0.2)
    stack = LocalStack(origin, f"http://127.0.0.1:{moto_port}", environment, log)
    yield stack
    process.send_signal(signal.SIGINT)
    interrupted = time.monotonic()
    try:
        exit_code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"local mode did not stop on Ctrl-C:\n{log.read_text()}")
    stack.stopped_after_seconds = time.monotonic() - interrupted
    assert exit_code == 0, log.read_text()
    assert "Stopped." in log.read_text()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory):
    with running_local_stack(tmp_path_factory.mktemp("local-state")) as stack:
        yield stack
