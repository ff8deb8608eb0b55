"""Segment evaluation and campaign expansion at scale, as the workers run them, on a moto server.

Loads contacts into a moto server (the local stack's DynamoDB and SQS, in its own process so its
memory is not counted; with moto_paging.py, so a page costs moto the page, not the table), then
refreshes a nested dynamic segment the way the platform does: the refresh message on the
segment-refresh queue, the worker handing out one message per parallel-scan part, each part
evaluated by a worker invocation. The workers are real processes (1, 2, 4), each polling the queue
and running the deployed handler, one message per invocation. Printed: contacts/s per worker
count, read units per contact, peak memory per worker at two sizes (flat in N means the
evaluation streams). Then a campaign to a segment of every contact is expanded into delivery
batches by the campaign-send worker: recipients/s, write and read units and SQS requests per
recipient. Last, both projected to 1M contacts with the measured per-item figures and public
prices (DynamoDB on demand $0.125/M read units, $0.625/M write units; SQS $0.40/M requests; Lambda
arm64 $0.0000133334/GB-s at 512 MB, $0.20/M invocations).

    .venv/bin/python bench/segment_evaluation.py       # 50,000 and 200,000 contacts (~4 minutes)
    .venv/bin/python bench/segment_evaluation.py --contacts 20000 --workers 1 --workers 2

Read units are computed from item sizes as DynamoDB bills a Scan (per 1 MB page, the page's item
bytes rounded up to 4 KB, halved for eventually consistent reads), from the workers' own log lines;
moto's ConsumedCapacity is a constant per call. Moto serves one request at a time on one core:
with 2 cores, one is moto's and the workers share the other, so contacts/s can grow only up to
~2 workers here. On AWS each part is its own Lambda and DynamoDB serves the parts side by side.
Target: <= 0.25 read units per contact.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing
import os
import random
import resource
import sys
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "layers" / "shared" / "python"), str(REPO_ROOT / "local"), str(REPO_ROOT / "functions")]

import boto3  # noqa: E402
from moto_server import functions_environment, start_moto  # noqa: E402
from summary import figure  # noqa: E402

TARGET_READ_UNITS = 0.25
CRITERIA = {
    "all": [
        {"min_order_count": 1},
        {"any": [{"tags": {"any": ["vip"]}}, {"lifecycle_stage": "customer"}]},
        {"subscribed": True},
    ]
}
EVERYONE = "seg_bench_everyone"  # a static segment of every contact loaded: the campaign's audience
STAGES = ["lead", "customer", "repeat_customer", "vip", "churned"]
TAGS = ["vip", "newsletter", "wholesale", "early", "b2b"]
PROJECTED = 1_000_000
RRU, WRU, SQS_REQUEST = 0.125 / 1e6, 0.625 / 1e6, 0.40 / 1e6
LAMBDA_GB_SECOND, LAMBDA_REQUEST, LAMBDA_GB = 0.0000133334, 0.20 / 1e6, 0.5
LAMBDA_VCPU = 512 / 1769  # the workers' 512 MB: Lambda gives a whole vCPU at 1,769 MB
LOADERS = 2
MIB = 2**20


def bind() -> None:
    """Points the tables at the moto server named by the environment (each process does)."""
    from marketing.catalog.tables import TABLES, bind_tables

    bind_tables(os.environ, os.environ["AWS_REGION"])
    for model in TABLES:  # clients bound to another process's or another run's server go
        model._connection = None


# --- loading -----------------------------------------------------------------------------------------
def load_contacts(first: int, stop: int) -> None:
    """Writes contacts number `first` to `stop` (batch writes, 25 a request), each a member of
    the static segment EVERYONE too."""
    from marketing.audience.store.contacts import ContactRecord
    from marketing.audience.store.segments import write_members

    bind()
    now = datetime.now(UTC)
    with ContactRecord.batch_write() as batch:
        for number in range(first, stop):
            rng = random.Random(number)  # noqa: S311 - repeatable test data, not secrets
            orders = rng.choice([0, 0, 1, 2, 5])
            batch.save(
                ContactRecord(
                    f"ct_bench{number:08d}",
                    email=f"shopper{number}@example.com",
                    first_name=rng.choice(["Ada", "Grace", "Alan", "Linus", "Barbara"]),
                    last_name=rng.choice(["Lovelace", "Hopper", "Turing", "Torvalds", "Liskov"]),
                    lifecycle_stage=rng.choice(STAGES),
                    tags=rng.sample(TAGS, rng.randint(0, 3)),
                    order_count=orders,
                    lifetime_value=Decimal(orders * rng.randint(10, 90)).quantize(Decimal("0.01")),
                    last_order_at=now - timedelta(days=rng.randint(1, 400)) if orders else None,
                    subscription_status=rng.choice(["subscribed", "subscribed", "unsubscribed", None]),
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
    write_members(EVERYONE, (f"ct_bench{number:08d}" for number in range(first, stop)), generation=0)


def create_everyone() -> None:
    from marketing.audience.models.segments import RefreshStatus, Segment, SegmentType
    from marketing.audience.store import segments as segment_store

    now = datetime.now(UTC)
    segment_store.create(
        Segment(
            id=EVERYONE,
            name="Everyone",
            description="",
            type=SegmentType.STATIC,
            criteria=None,
            contact_count=0,
            refreshed_at=None,
            refresh_status=RefreshStatus.IDLE,
            created_at=now,
            updated_at=now,
        )
    )


def load(pool: ProcessPoolExecutor, first: int, stop: int) -> float:
    """Loads contacts `first` to `stop` from LOADERS processes; returns the seconds it took."""
    started = time.perf_counter()
    step = math.ceil((stop - first) / LOADERS)
    bounds = [(start, min(stop, start + step)) for start in range(first, stop, step)]
    for done in [pool.submit(load_contacts, *bound) for bound in bounds]:
        done.result()
    return time.perf_counter() - started


# --- the workers ---------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """The CPU time a process (the moto server) has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB


def refresh_worker(ready, stop, results) -> None:
    """One worker process: polls the segment-refresh queue as Lambda's event source does (one
    message per invocation) and runs the deployed handler until told to stop; then reports what
    it scanned (from its own log lines), its CPU time and its memory."""
    logs = io.StringIO()
    sys.stdout = logs  # the handler's JSON log lines: read back below
    os.environ["LOG_LEVEL"] = "INFO"
    warnings.filterwarnings("ignore", "No application metrics")  # metrics are off here
    from marketing.catalog.topology import SEGMENT_REFRESH
    from marketing_local.lambda_runtime import LocalContext
    from marketing_local.pollers import sqs_event

    bind()
    handler = __import__("workers.segment_refresh", fromlist=["lambda_handler"]).lambda_handler
    sqs, url = boto3.client("sqs"), os.environ[SEGMENT_REFRESH.env_var]
    baseline, cpu_started, invocations = _rss(), time.process_time(), 0
    ready.release()
    while not stop.is_set():
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            continue
        response = handler(sqs_event(messages, "arn:aws:sqs:eu-west-2:123456789012:bench"), LocalContext("bench", 900))
        invocations += 1
        if not response["batchItemFailures"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
        logs.seek(0)
        scanned = [json.loads(line) for line in logs if '"segment part scanned"' in line]
        logs.seek(0)
        logs.truncate()
        results.put({"parts": [(line["contacts_scanned"], line["read_units"]) for line in scanned]})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put(
        {"cpu": time.process_time() - cpu_started, "baseline": baseline, "peak": peak, "invocations": invocations}
    )


class Run:
    """One refresh of a fresh segment by `workers` worker processes: its figures."""

    def __init__(self, moto_pid: int, contacts: int, workers: int, parts: int, criteria: dict) -> None:
        self.contacts, self.workers, self.parts, self.criteria = contacts, workers, parts, criteria
        self.moto_pid, self.moto_cpu, self.load = moto_pid, 0.0, 0.0
        self.scanned = self.read_units = self.cpu = self.elapsed = 0.0
        self.members = self.invocations = 0
        self.segment_id = ""
        self.peaks: list[float] = []
        self.growth: list[float] = []

    def execute(self) -> Run:
        from marketing.audience.models.segments import SegmentCreate
        from marketing.audience.services import segments

        context = multiprocessing.get_context("spawn")
        ready, stop, results = context.Semaphore(0), context.Event(), context.Queue()
        os.environ["SEGMENT_FIRST_SCAN_PARTS"] = str(self.parts)  # what the settings choose for this size
        processes = [context.Process(target=refresh_worker, args=(ready, stop, results)) for _ in range(self.workers)]
        for process in processes:
            process.start()
        for _ in processes:
            ready.acquire()
        self.load = os.getloadavg()[0]
        started, moto_started = time.perf_counter(), cpu_seconds(self.moto_pid)
        segment_id = segments.create(SegmentCreate(name="Bench", type="dynamic", criteria=self.criteria)).id
        self.segment_id = segment_id
        while (segment := segments.get(segment_id)).refresh_status != "idle":
            time.sleep(0.05)
        self.elapsed = time.perf_counter() - started
        self.moto_cpu = cpu_seconds(self.moto_pid) - moto_started
        self.members = segment.contact_count
        stop.set()
        finished = 0
        while finished < len(processes):
            report = results.get()
            for scanned, read_units in report.get("parts", ()):
                self.scanned += scanned
                self.read_units += read_units
            if "cpu" in report:
                finished += 1
                self.cpu += report["cpu"]
                self.invocations += report["invocations"]
                self.peaks.append(report["peak"])
                self.growth.append(report["peak"] - report["baseline"])
        for process in processes:
            process.join()
        return self

    @property
    def rate(self) -> float:
        return self.scanned / self.elapsed

    def row(self) -> str:
        return (
            f"{self.contacts:>9} {self.workers:>7} {self.parts:>5} {self.elapsed:>7.1f} {self.rate:>10.0f} "
            f"{self.members:>8} {self.read_units / self.scanned:>10.4f} {self.cpu * 1e6 / self.scanned:>9.1f} "
            f"{max(self.peaks):>8.1f} {max(self.growth):>8.1f} {self.moto_cpu * 1e6 / self.scanned:>9.1f} "
            f"{self.load:>5.1f}"
        )


# --- campaign expansion ----------------------------------------------------------------------------------
def take_deliveries(url: str, stop: threading.Event) -> None:
    """The delivery workers' side, not measured: takes the batches off their queue as they come
    (moto walks its whole queue at every request, so a queue left to grow slows every send)."""
    from campaign_send import METER

    sqs = boto3.client("sqs")
    with METER.paused():
        while not stop.is_set():
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if messages:
                entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
                sqs.delete_message_batch(QueueUrl=url, Entries=entries)


def expand(segment_id: str, recipients: int) -> dict:
    """Sends a campaign to the segment and runs the campaign-send worker until it is expanded into
    delivery batches: seconds, and what it cost per recipient."""
    import workers.campaign_send
    from campaign_send import METER, Lambda, run_until

    from marketing.audience.store import segments as segment_store
    from marketing.campaigns.models.campaign_requests import CampaignCreate
    from marketing.campaigns.services import campaigns
    from marketing.campaigns.store import campaigns as campaign_store
    from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS
    from marketing.email.models.template_requests import TemplateCreate
    from marketing.email.services import templates

    segment_store.add_to_count(segment_id, recipients, datetime.now(UTC))  # what adding them by the API counts
    template = templates.create(
        TemplateCreate(name="Bench", category="promotional", subject="Hello", html_content="<p>Hi {{ first_name }}</p>")
    )
    campaign = campaigns.create(
        CampaignCreate(name="Bench", template_id=template.id, segment_id=segment_id, from_name="Shop")
    )
    expander = Lambda(CAMPAIGN_SENDS, workers.campaign_send.lambda_handler)
    stop = threading.Event()
    sink = threading.Thread(target=take_deliveries, args=(os.environ[CAMPAIGN_DELIVERIES.env_var], stop))
    sink.start()
    METER.reset()
    started = time.perf_counter()
    try:
        campaigns.send(campaign.id)
        run_until(
            lambda: campaign_store.record(campaign.id).expanded,
            [(expander, os.environ[CAMPAIGN_SENDS.env_var], 1, 1)],
            boto3.client("sqs"),
        )
    finally:
        stop.set()
        sink.join()
    sqs = sum(count for (service, _), count in METER.requests.items() if service == "sqs")
    return {
        "recipients": recipients,
        "seconds": time.perf_counter() - started,
        "lambda_seconds": expander.seconds / recipients,  # the handler's wall time: an upper bound
        "write_units": METER.write_units / recipients,
        "read_units": METER.read_units / recipients,
        "sqs": sqs / recipients,
        "invocations": expander.invocations,
    }


# --- the report ----------------------------------------------------------------------------------------------
def project(runs: list[Run], expansion: dict | None) -> None:
    from marketing.audience.services.segments import ScanSettings
    from marketing.config import load_settings

    best = max(runs, key=lambda run: run.rate)
    one = min((run for run in runs if run.workers == 1), key=lambda run: -run.contacts)
    read_units = sum(run.read_units for run in runs) / sum(run.scanned for run in runs)
    cpu = one.cpu / one.scanned
    match_share = one.members / one.scanned
    parts = load_settings(ScanSettings).parts_for(PROJECTED)
    # A part on AWS: its CPU at the worker's 512 MB (Lambda gives 1 vCPU at 1,769 MB), or this
    # machine's one-worker pace if slower (that includes moto's answers).
    aws_per_contact = max(cpu / LAMBDA_VCPU, one.elapsed / one.scanned)
    per_part = aws_per_contact * PROJECTED / parts
    reads = read_units * PROJECTED * RRU
    writes = match_share * PROJECTED * WRU  # one write unit per member (an item < 1 KB)
    lambda_cost = aws_per_contact * PROJECTED * LAMBDA_GB * LAMBDA_GB_SECOND + (parts + 1) * LAMBDA_REQUEST
    print(f"\nprojected to {PROJECTED:,} contacts (measured per contact; {match_share:.1%} matching):")
    print(
        f"  evaluation: {parts} parts (the settings' choice); here, one worker process: "
        f"{PROJECTED / one.rate:.0f} s, {best.workers}: {PROJECTED / best.rate:.0f} s; on AWS the parts run side "
        f"by side (DynamoDB serves parallel scans in parallel), each at {aws_per_contact * 1e6:.0f} µs a contact "
        f"({cpu * 1e6:.0f} µs of CPU at {LAMBDA_VCPU:.2f} vCPU): ~{per_part:.0f} s"
    )
    print(
        f"  evaluation cost: reads ${reads:.3f} ({read_units:.4f} units/contact) + member writes ${writes:.3f} "
        f"(1 unit/member) + Lambda ${lambda_cost:.3f} = ${reads + writes + lambda_cost:.3f} per refresh "
        f"(+{parts + 1} SQS messages, 2 writes a part: nothing)"
    )
    if expansion:
        seconds = PROJECTED / expansion["recipients"] * expansion["seconds"]
        cost = PROJECTED * (
            expansion["write_units"] * WRU
            + expansion["read_units"] * RRU
            + expansion["sqs"] * SQS_REQUEST
            + expansion["lambda_seconds"] * LAMBDA_GB * LAMBDA_GB_SECOND
        )
        print(
            f"  expansion of {PROJECTED:,} recipients: ~{seconds:.0f} s in one worker "
            f"(invocations of 900 s hand on to the next), ${cost:.3f} "
            f"({expansion['write_units']:.4f} write units, {expansion['read_units']:.4f} read units, "
            f"{expansion['sqs']:.4f} SQS requests per recipient)"
        )


def report(runs: list[Run], expansion: dict | None) -> None:
    largest = max(run.contacts for run in runs)
    at_largest = sorted((run for run in runs if run.contacts == largest), key=lambda run: run.workers)
    first = at_largest[0]
    scaling = " → ".join(f"{run.rate:.0f} ({run.workers})" for run in at_largest)
    print(
        f"\ncontacts/s by worker processes at {largest:,} contacts: {scaling}; "
        + ", ".join(f"x{run.rate / first.rate:.2f} at {run.workers}" for run in at_largest[1:])
    )
    moto = max(run.moto_cpu / run.scanned for run in at_largest)
    print(
        f"  this machine has {os.cpu_count()} cores (shared: load average {max(run.load for run in at_largest):.1f}) "
        f"and moto serves one request at a time on one of them, using {moto * 1e6:.0f} µs of CPU a contact: "
        f"at most ~{1 / moto:.0f} contacts/s whatever the workers; the workers share what is left. So contacts/s "
        "can grow only up to ~2 workers here, less as moto's share nears a core; beyond that the figures show this "
        "machine, not the design (on AWS each part has its own Lambda and DynamoDB serves parts side by side)"
    )
    ones = sorted((run for run in runs if run.workers == 1), key=lambda run: run.contacts)
    print(
        "peak memory per worker (growth over its start): "
        + ", ".join(f"+{max(run.growth):.1f} MiB at {run.contacts:,} contacts" for run in ones)
    )
    if expansion:
        print(
            f"\ncampaign expansion of {expansion['recipients']:,} recipients: {expansion['seconds']:.1f} s = "
            f"{expansion['recipients'] / expansion['seconds']:.0f} recipients/s in {expansion['invocations']} "
            f"invocation(s); per recipient {expansion['write_units']:.4f} write units, "
            f"{expansion['read_units']:.4f} read units, {expansion['sqs']:.4f} SQS requests"
        )
    project(runs, expansion)
    worst = max(run.read_units / run.scanned for run in runs)
    verdict = "meets" if worst <= TARGET_READ_UNITS else "misses"
    print(f"\nworst read units per contact: {worst:.4f} ({verdict} the target of {TARGET_READ_UNITS})")
    figure(
        "segment evaluation: read units per contact",
        f"{worst:.4f}",
        f"<= {TARGET_READ_UNITS}",
        worst <= TARGET_READ_UNITS,
    )
    if len(at_largest) > 1:
        two = next((run for run in at_largest if run.workers == 2), at_largest[1])
        gain = two.rate / first.rate
        figure(
            f"segment evaluation: contacts/s, {two.workers} worker processes / 1 ({largest:,} contacts)",
            f"x{gain:.2f}",
            "> 1 (2 shared cores, one of them moto's)",
            gain > 1,
        )
    if len(ones) > 1:
        small, large = max(ones[0].growth), max(ones[-1].growth)
        figure(
            f"segment evaluation: a worker's memory growth, {ones[-1].contacts:,} / {ones[0].contacts:,} contacts",
            f"+{large:.1f} / +{small:.1f} MiB",
            "flat (within 10%)",
            large <= small * 1.1,
        )
    if expansion:
        figure(
            f"campaign expansion: recipients/s ({expansion['recipients']:,})",
            f"{expansion['recipients'] / expansion['seconds']:.0f}",
            "-",
            None,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, action="append", help="contacts to load (repeatable, ascending)")
    parser.add_argument("--workers", type=int, action="append", help="worker processes at the largest size")
    parser.add_argument("--no-expansion", action="store_true", help="skip the campaign expansion")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", "No application metrics")  # the campaign-send worker's, here; metrics are off
    sizes = sorted(args.contacts or [50_000, 200_000])
    workers = sorted(args.workers or [1, 2, 4])
    moto, endpoint = start_moto(paged=True)
    try:
        os.environ.update(functions_environment(endpoint))  # the workers' processes log at INFO, to their own reader
        import campaign_send  # noqa: F401 - its request meter counts the clients made from here on

        from marketing_local.provision import Provisioner

        os.environ.update(Provisioner(boto3.Session(region_name="eu-west-2"), "bench").everything())
        bind()
        return _run(moto.pid, sizes, workers, expansion=not args.no_expansion)
    finally:
        moto.terminate()
        moto.wait()


def _run(moto_pid: int, sizes: list[int], workers: list[int], expansion: bool) -> int:
    from marketing.audience.services.segments import ScanSettings
    from marketing.config import load_settings

    print(f"criteria: {CRITERIA}")
    print(
        f"{'contacts':>9} {'workers':>7} {'parts':>5} {'eval s':>7} {'contacts/s':>10} {'members':>8} "
        f"{'RU/contact':>10} {'µs CPU/c':>9} {'peak MiB':>8} {'+MiB':>8} {'moto µs/c':>9} {'load':>5}"
    )
    print(
        "  (µs CPU/c: the workers' CPU per contact; peak MiB: a worker's largest resident memory, +MiB its growth "
        "after start-up; moto µs/c: the server's CPU per contact; load: the machine's load average)"
    )
    settings = load_settings(ScanSettings)
    create_everyone()
    runs, loaded = [], 0
    with ProcessPoolExecutor(LOADERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        for size in sizes:
            seconds = load(pool, loaded, size)
            print(f"  (loaded {size - loaded:,} contacts in {seconds:.1f} s: {(size - loaded) / seconds:.0f}/s)")
            loaded = size
            parts = settings.parts_for(size)
            for count in workers if size == sizes[-1] else [1]:
                runs.append(Run(moto_pid, size, count, max(parts, count), CRITERIA).execute())
                print(runs[-1].row())
    expanded = None
    if expansion:
        expanded = expand(EVERYONE, sizes[-1])
    report(runs, expanded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
