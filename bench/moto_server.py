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
BENCH = Path(__file__).resolve().parent


# moto's server as local mode runs it (marketing_local/moto_patches.py); `paged` adds the
# benchmarks' page speed-up (moto_paging.py), for tables of 100,000s of items.
def _serve(paged: bool) -> str:
    return (
        f"import sys; sys.path[:0] = [{str(LOCAL_PACKAGES)!r}, {str(BENCH)!r}]; "
        "from marketing_local import moto_patches; moto_patches.apply(); "
        + ("import moto_paging; moto_paging.apply(); " if paged else "")
        + "from moto.server import main; main(sys.argv[1:])"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto(paged: bool = False) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _serve(paged), "-H", "127.0.0.1", "-p", str(port)],
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


def functions_environment(endpoint: str) -> dict[str, str]:
    """What the platform's functions read besides their resources' names, for a benchmark: the
    moto server, Powertools quiet (no metrics, no traces, warnings only), the public URL links are
    made for, and a postal address (every marketing email shows one)."""
    return {
        **moto_environment(endpoint),
        "POWERTOOLS_SERVICE_NAME": "bench",
        "POWERTOOLS_METRICS_NAMESPACE": "Marketing",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL": "https://marketing.example/api/v1/marketing",
        "SHOP_POSTAL_ADDRESS": "1 High Street, Leeds LS1 1AA, United Kingdom",
    }
