"""How close a campaign gets to the account's SES rate, on local mode with SES's limits simulated.

Starts `mkt-local run --clean` with SES at --rate emails/s and --latency-ms (± a third) per call,
writes --contacts subscribed contacts into its tables for each of three campaigns (issue 20):

1. alone;
2. with automation emails due at the same time (a welcome email to --welcomes new customers, who
   registered in rounds just before the campaign was sent, due WELCOME_DELAY_HOURS seconds later);
3. with the account's quota lowered to half half-way through (`POST /local/ses`).

Each prints the steady rate (every email SES took, whoever sent it, while the campaign went from 10%
to 90% of its recipients, by the simulator's record of when it took each) over the rate SES
allowed, and checks that every recipient got exactly one email: no one lost, no one twice.
Targets: >= 0.95 alone and combined.

    .venv/bin/python bench/send_rate.py [--contacts 600] [--rate 20] [--latency-ms 60]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(REPO_ROOT / "cli"),
    str(REPO_ROOT / "layers" / "shared" / "python"),
    str(REPO_ROOT / "local"),
    str(REPO_ROOT / "bench"),
]

import boto3  # noqa: E402
from audience import write_subscribers  # noqa: E402
from moto_server import moto_environment  # noqa: E402
from summary import figure  # noqa: E402

from marketing.catalog.tables import bind_tables  # noqa: E402
from marketing_cli.client import ApiClient  # noqa: E402
from marketing_local.config import RESOURCE_PREFIX  # noqa: E402
from marketing_local.provision import Provisioner  # noqa: E402

REGION = "eu-west-2"

TARGET = 0.95
WELCOME_DELAY_HOURS = 20  # seconds here: due in the middle of the campaign that starts after the registrations
WELCOME_ROUND = 10
TEMPLATE = {
    "name": "Bench",
    "category": "promotional",
    "subject": "{{ first_name }}, a bench email",
    "html_content": '<p>Hello {{ first_name }}.</p><p><a href="https://shop.example/sale">Sale</a></p>',
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalMode:
    def __init__(self, rate: float, latency_ms: float, state: Path):
        self.origin = f"http://127.0.0.1:{_free_port()}"
        moto_port = _free_port()
        moto_endpoint = f"http://127.0.0.1:{moto_port}"
        environment = {
            **os.environ,
            "MKT_API_PORT": self.origin.rsplit(":", 1)[1],
            "MKT_MOTO_PORT": str(moto_port),
            "MKT_LOCAL_STATE": str(state),
            "MKT_SES_MAX_SEND_RATE": str(rate),
            "MKT_SES_LATENCY_MS": str(latency_ms),
            "MKT_SES_JITTER_MS": str(latency_ms / 3),
            "MKT_AUTOMATION_HOUR_SECONDS": "1",  # an automation's hour lasts a second
        }
        self.log = state / "local.log"
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "mkt-local"), "run", "--clean"],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=REPO_ROOT,
                start_new_session=True,  # its own process group: stop() ends its functions' processes too
            )
        deadline = time.monotonic() + 120
        while not self._up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"local mode did not start:\n{self.log.read_text()}")
            time.sleep(0.3)
        self.api = ApiClient.local(f"{self.origin}/api/v1/marketing")
        # Its tables, for writing contacts straight into them (load_contacts).
        os.environ.update(moto_environment(moto_endpoint))
        bind_tables(Provisioner(boto3.Session(region_name=REGION), RESOURCE_PREFIX, moto_endpoint).tables(), REGION)

    def _up(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.origin}/local/health", timeout=2):  # noqa: S310 - loopback
                return True
        except OSError:
            return False

    def local(self, path: str, body: dict | list | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.origin}{path}", data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return json.loads(response.read())

    def stop(self) -> None:
        """Its state is a temporary folder: nothing to save, so no Ctrl-C (saving takes a while). The
        whole process group goes: killed alone, local mode left its functions' processes running
        (gigabytes, after a few runs)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def load_contacts(local: LocalMode, prefix: str, count: int) -> str:
    """`count` subscribed contacts at `<prefix>-N@example.com`, written straight into local mode's
    tables (an import of 600 takes local mode a minute: the send is what is measured); returns a
    static segment of them, made and filled through the API."""
    ids = write_subscribers(f"ct_{prefix}_", f"{prefix}-", count)
    segment = local.api.call("POST", "segments/", {"name": prefix, "type": "static"})
    for first in range(0, count, 500):
        local.api.call("PATCH", f"segments/{segment['id']}/", {"add_contact_ids": ids[first : first + 500]})
    return segment["id"]


def register_welcomes(local: LocalMode, automation_id: str, count: int) -> float:
    """`count` new customers, each starting a run of the welcome automation, WELCOME_ROUND at a time
    (the next round once the last one's runs have started): their emails come due over some seconds,
    as a shop's signups do, WELCOME_DELAY_HOURS seconds after each round, while the campaign sent
    next is in its steady state. Returns how long the registrations took. (Registered during the
    campaign, or all at once, their handling and their state machines waking together competed
    with the campaign for local mode's one DynamoDB, which answers one request at a time: the figure
    then measured local mode, not the send rate.)"""
    started = time.monotonic()
    runs = f"automations/{automation_id}/executions/"
    for first in range(0, count, WELCOME_ROUND):
        events = [
            {
                "detail-type": "user.registered",
                "detail": {"user_id": f"w{n}", "email": f"welcome-{n}@example.com", "marketing_opt_in": True},
            }
            for n in range(first, min(first + WELCOME_ROUND, count))
        ]
        local.local("/local/events", events)
        while len(local.api.call("GET", runs, query={"limit": "100"})["items"]) < first + len(events):
            if time.monotonic() - started > WELCOME_DELAY_HOURS:
                raise SystemExit(f"the {count} registrations took longer than their emails' delay")
            time.sleep(0.3)
    return time.monotonic() - started


def send(local: LocalMode, template_id: str, segment_id: str, during=None) -> None:
    """Sends a campaign and waits until it is sent; `during(fraction sent)` is called as it goes."""
    body = {"name": segment_id, "template_id": template_id, "segment_id": segment_id, "from_name": "Bench"}
    campaign = local.api.call("POST", "campaigns/", body)
    local.api.call("POST", f"campaigns/{campaign['id']}/send/")
    give_up = time.monotonic() + 900
    while time.monotonic() < give_up:
        current = local.api.call("GET", f"campaigns/{campaign['id']}/")
        total, sent = current["progress"]["total"], current["progress"]["sent"]
        if during is not None and total:
            during(sent / total)
        if current["status"] in ("sent", "failed", "cancelled"):
            return
        time.sleep(0.2)
    raise SystemExit(f"campaign {campaign['id']} did not finish in 15 minutes: {current['progress']}")


def accepted(local: LocalMode) -> list[tuple[float, str]]:
    """When SES took each email, and for whom (the simulator's record)."""
    items = local.local("/local/ses?accepted=1")["accepted"]
    return sorted((item["at"], address) for item in items for address in item["to"])


def steady_stretch(sends: list[tuple[float, str]], prefix: str, count: int) -> tuple[float, float]:
    """When the campaign to `<prefix>-N` addresses reached 10% and 90% of its recipients."""
    campaign = [at for at, address in sends if address.startswith(f"{prefix}-")]
    return campaign[int(0.1 * count)], campaign[int(0.9 * count) - 1]


def steady_rate(sends: list[tuple[float, str]], prefix: str, count: int) -> float:
    """Emails SES took per second, all senders together, while the campaign went from 10% to 90%
    of its recipients."""
    start, end = steady_stretch(sends, prefix, count)
    return sum(1 for at, _ in sends if start < at <= end) / (end - start)  # intervals, not emails


def slots_handed_out(sends: list[tuple[float, str]], prefix: str, count: int, allowed: float) -> float:
    """The send slots the ledger handed out over the same stretch as `steady_rate` (whole windows
    in it), over what SES allowed: where it is near 1 and the sent rate is not, the slots were
    shared out in full and the emails were late for them (local mode's two cores, busy elsewhere)."""
    from marketing.campaigns.services.send_rate import WINDOW_SECONDS
    from marketing.campaigns.store import send_windows

    start, end = steady_stretch(sends, prefix, count)
    windows = range(int(start // WINDOW_SECONDS + 1) * WINDOW_SECONDS, int(end) - WINDOW_SECONDS + 1, WINDOW_SECONDS)
    if not windows:
        return 0.0
    return sum(send_windows.usage(window)[0] for window in windows) / (len(windows) * WINDOW_SECONDS * allowed)


def exactly_once(sends: list[tuple[float, str]], prefix: str, count: int) -> tuple[int, int]:
    """(lost, doubled) among the campaign's recipients, by what SES took."""
    taken = Counter(address for _, address in sends if address.startswith(f"{prefix}-"))
    lost = sum(1 for n in range(count) if taken[f"{prefix}-{n}@example.com"] == 0)
    return lost, sum(1 for times in taken.values() if times > 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=600)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--latency-ms", type=float, default=60.0)
    parser.add_argument("--welcomes", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        local = LocalMode(args.rate, args.latency_ms, Path(state))
        try:
            return _run(local, args)
        finally:
            local.stop()


def _run(local: LocalMode, args: argparse.Namespace) -> int:
    print(
        f"SES simulated at {args.rate:g} emails/s, {args.latency_ms:g} ms ± a third per call; {args.contacts} contacts"
    )
    template = local.api.call("POST", "templates/", TEMPLATE)
    rows, verdicts = [], []

    def report(name: str, prefix: str, allowed: float, target: float | None) -> None:
        sends = accepted(local)
        ratio = steady_rate(sends, prefix, args.contacts) / allowed
        handed_out = slots_handed_out(sends, prefix, args.contacts, allowed)
        lost, doubled = exactly_once(sends, prefix, args.contacts)
        met = (target is None or ratio >= target) and lost == 0 and doubled == 0
        verdicts.append(met)
        rows.append(
            (
                name,
                f"{ratio:.2f}",
                f"{handed_out:.2f}",
                f">= {target}" if target else "-",
                lost,
                doubled,
                "met" if met else "NOT MET",
            )
        )

    alone = load_contacts(local, "alone", args.contacts)
    send(local, template["id"], alone)
    report("campaign alone", "alone", args.rate, TARGET)

    combined = load_contacts(local, "combined", args.contacts)
    automation = local.api.call(
        "POST",
        "automations/",
        {
            "name": "Welcome",
            "trigger": "user_registered",
            "emails": [{"order": 1, "delay_hours": WELCOME_DELAY_HOURS, "template_id": template["id"]}],
        },
    )
    local.api.call("POST", f"automations/{automation['id']}/activate/")
    registered = register_welcomes(local, automation["id"], args.welcomes)
    send(local, template["id"], combined)
    report("campaign + automation emails (all emails)", "combined", args.rate, TARGET)
    sends = accepted(local)
    start, end = steady_stretch(sends, "combined", args.contacts)
    welcomes = [at for at, address in sends if address.startswith("welcome-")]
    inside = sum(1 for at in welcomes if start < at <= end)
    print(
        f"welcome emails: {len(welcomes)} of {args.welcomes} sent, {inside} of them while the campaign was between "
        f"10% and 90% (due {WELCOME_DELAY_HOURS} s after the registrations, which took {registered:.1f} s)"
    )

    lowered = load_contacts(local, "lowered", args.contacts)
    halved = []

    def halve(fraction: float) -> None:
        if fraction >= 0.5 and not halved:
            local.local("/local/ses", {"rate": args.rate / 2})
            halved.extend((time.monotonic(), time.time()))

    send(local, template["id"], lowered, halve)
    sends = accepted(local)
    lost, doubled = exactly_once(sends, "lowered", args.contacts)
    after = [at for at, address in sends if address.startswith("lowered-") and at >= halved[1] + 5]  # once noticed
    ratio = (len(after) - 1) / (after[-1] - after[0]) / (args.rate / 2) if len(after) > 1 else 0.0
    met = lost == 0 and doubled == 0
    verdicts.append(met)
    rows.append(("quota halved half-way: after", f"{ratio:.2f}", "-", "-", lost, doubled, "met" if met else "NOT MET"))
    throttled = local.local("/local/ses")["throttled"]

    widths = [max(len(str(row[i])) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"sends SES throttled (and the platform retried): {throttled}")
    for name, ratio, _, target, lost, doubled, verdict in rows:
        wanted = f"{target}, " if target != "-" else ""
        figure(
            f"rate / SES rate, {name}",
            f"{ratio}, {lost} lost, {doubled} doubled",
            f"{wanted}0 lost, 0 doubled",
            verdict == "met",
        )
    return 0 if all(verdicts) else 1


HEADER = ("scenario", "rate / SES rate", "slots handed out / SES rate", "target", "lost", "doubled", "verdict")

if __name__ == "__main__":
    sys.exit(main())
