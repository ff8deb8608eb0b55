"""A moto server in its own process on a free loopback port, for the benchmarks (its memory and
CPU are then not the benchmark's)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

LOCAL_PACKAGES = Path(__file__).resolve().parents[1] / "local"


# moto's server as local mode runs it (with its DynamoDB transaction speed-up).
_SERVE = (
    f"import sys; sys.path.insert(0, {str(LOCAL_PACKAGES)!r}); "
    "from marketing_local import moto_dynamodb; moto_dynamodb.apply(); "
    "from moto.server import main; main(sys.argv[1:])"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - loopback
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("moto server did not start")


def moto_environment(endpoint: str) -> dict[str, str]:
    """What points AWS clients at the moto server (moto accepts any credentials)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "eu-west-2",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }
