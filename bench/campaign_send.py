"""A campaign to N contacts (default 10,000) end to end on a moto server, and what it costs.

Loads N subscribed contacts (5% unsubscribed, to exercise suppression) into a static segment,
then times `send/` → the expansion worker → the delivery workers (4 at once, SQS batches of 10
messages as Lambda's event source delivers them) until the campaign is `sent`. Every AWS request
is counted by service and operation with botocore event hooks on every client made (boto3's
and PynamoDB's), including the event source's own ReceiveMessage and DeleteMessageBatch. Then
SES's events for those emails (local mode's simulator) are handled and counted apart, and then
the opens and clicks of a typical campaign (20% of recipients open, 3% click: each a request to
the API's tracking routes through its handler, and the first opens it queues recorded by the
opens worker, in batches as its event source takes them). The platform's whole cost per recipient is the
three together (issue 20, item 3: at most 3% of SES's, Lambda billed at its wall time).

Cost per 1M recipients from public prices: SES $0.10/1k emails, SQS $0.40/M requests, DynamoDB
on demand $0.625/M write units and $0.125/M read units (units estimated per request from item
counts and sizes: transactional writes count twice, the campaigns table's index once more), Lambda
arm64 $0.0000133334/GB-s at 512 MB plus $0.20/M requests, API Gateway (HTTP API) $1.00/M
requests. Lambda time is shown two ways: the
handlers' wall time against moto (an upper bound: moto answers one request at a time, slower than
DynamoDB as its tables grow) and their CPU time (a lower bound: no network waits).

    .venv/bin/python bench/campaign_send.py [--contacts 10000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(REPO_ROOT / "layers" / "shared" / "python"),
    str(REPO_ROOT / "local"),
    str(REPO_ROOT / "functions"),
    str(REPO_ROOT / "bench"),
]

import boto3  # noqa: E402
import botocore.session  # noqa: E402
from audience import write_subscribers  # noqa: E402
from moto_server import functions_environment, start_moto  # noqa: E402
from summary import figure  # noqa: E402

SES_PER_EMAIL = 0.10 / 1000
SQS_PER_REQUEST = 0.40 / 1e6
WRU, RRU = 0.625 / 1e6, 0.125 / 1e6
LAMBDA_GB_SECOND, LAMBDA_REQUEST, LAMBDA_GB = 0.0000133334, 0.20 / 1e6, 0.5
HTTP_API_REQUEST = 1.00 / 1e6
TARGET_REQUESTS, TARGET_OVERHEAD = 0.2, 0.03
OPEN_RATE, CLICK_RATE = 0.20, 0.03  # of recipients: a typical campaign's
TARGET_WHOLE = 0.03  # the whole platform's cost per recipient, of SES's
DELIVERY_WORKERS = 4
PUT_EVENTS_LIMIT = 10  # entries in one PutEvents request
SALE_URL = "https://shop.example/sale"  # the link in the campaign's template


class Meter:
    """Counts requests by (service, operation) and estimates DynamoDB capacity units."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.idle_polls = 0
        self.write_units = 0.0
        self.read_units = 0.0
        self._lock = threading.Lock()
        self._unmetered = threading.local()

    @contextmanager
    def paused(self):
        """The benchmark's own requests (watching for the end) are not the platform's."""
        self._unmetered.on = True
        try:
            yield
        finally:
            self._unmetered.on = False

    def before(self, model, params, **_kwargs) -> None:
        if getattr(self._unmetered, "on", False):
            return
        service, operation = model.service_model.service_name, model.name
        writes = 0.0
        if operation == "TransactWriteItems":
            items = params["TransactItems"]
            writes = 2 * len(items) + sum(
                1 for item in items if "campaigns" in json.dumps(item).split('"TableName"')[1][:40]
            )
        elif operation == "BatchWriteItem":
            writes = sum(len(requests) for requests in params["RequestItems"].values())
        elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
            writes = 2 if "campaigns" in params.get("TableName", "") else 1
        reads = 0.0
        if operation == "GetItem":
            reads = 1.0 if params.get("ConsistentRead") else 0.5
        elif operation == "BatchGetItem":
            reads = 0.5 * sum(len(table["Keys"]) for table in params["RequestItems"].values())
        with self._lock:
            self.requests[(service, operation)] += 1
            self.write_units += writes
            self.read_units += reads

    def after(self, model, parsed, **_kwargs) -> None:
        if getattr(self._unmetered, "on", False):
            return
        if model.name == "ReceiveMessage" and not parsed.get("Messages"):
            # Lambda's pollers long-poll every queue all the time, sending or not: a cost per
            # queue per hour (about 1 request per 4 s each), not per recipient.
            with self._lock:
                self.requests[("sqs", "ReceiveMessage")] -= 1
                self.idle_polls += 1
        elif model.name in ("Query", "Scan"):
            size = len(json.dumps(parsed.get("Items", []), default=str))
            with self._lock:
                self.read_units += 0.5 * max(1, math.ceil(size / 4096))

    def reset(self) -> None:
        self.__init__()


METER = Meter()
_create_client = botocore.session.Session.create_client


def _metered_client(self, *args, **kwargs):
    client = _create_client(self, *args, **kwargs)
    client.meta.events.register("before-parameter-build.*.*", METER.before)
    client.meta.events.register("after-call.*.*", METER.after)
    return client


botocore.session.Session.create_client = _metered_client


def load_audience(count: int) -> list[str]:
    from marketing.audience.store.segments import write_members

    ids = write_subscribers("ct_bench", "shopper", count, unsubscribed_every=20)
    write_members("seg_bench", ids, 0)
    return ids


class Lambda:
    """Runs a worker's handler on its queue as Lambda's event source would; times each invocation."""

    def __init__(self, queue, handler) -> None:
        self.queue, self.handler = queue, handler
        self.invocations, self.seconds = 0, 0.0
        self._lock = threading.Lock()

    def poll_once(self, sqs, url: str, batch_size: int) -> int:
        from marketing_local.lambda_runtime import LocalContext
        from marketing_local.pollers import receive_batch, sqs_event

        messages = receive_batch(sqs, url, batch_size, 1)
        if not messages:
            return 0
        started = time.perf_counter()
        event = sqs_event(messages, "arn:aws:sqs:eu-west-2:123456789012:bench")
        response = self.handler(event, LocalContext("bench", timeout_seconds=300))
        with self._lock:
            self.invocations += 1
            self.seconds += time.perf_counter() - started
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(done)],
            )
        return len(messages)


def run_until(condition, lambdas: list[tuple[Lambda, str, int, int]], sqs) -> None:
    """Polls each (function, queue URL, batch size, concurrency) until `condition()` holds."""

    def worker(function: Lambda, url: str, batch_size: int, stop: threading.Event) -> None:
        while not stop.is_set():
            function.poll_once(sqs, url, batch_size)

    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=sum(threads for *_, threads in lambdas)) as pool:
        for function, url, batch_size, threads in lambdas:
            for _ in range(threads):
                pool.submit(worker, function, url, batch_size, stop)
        while True:
            with METER.paused():
                if condition():
                    break
            time.sleep(0.2)
        stop.set()


def cost_table(
    title: str, recipients: int, emails: int, lambdas: list[Lambda], cpu_seconds: float, api_requests: int = 0
) -> tuple:
    """Prints requests per recipient and the cost per 1M recipients; returns the non-SES requests
    per recipient, the overhead ratio with Lambda billed at (moto wall time, CPU time), and the
    cost per 1M recipients other than SES's at each."""
    scale = 1e6 / recipients
    print(f"\n{title}: AWS requests per recipient")
    for (service, operation), count in sorted(METER.requests.items()):
        print(f"  {service:<14} {operation:<20} {count:>7}  {count / recipients:.4f}")
    non_ses = sum(count for (service, _), count in METER.requests.items() if service not in ("ses", "sesv2"))
    invocations = sum(function.invocations for function in lambdas)
    seconds = sum(function.seconds for function in lambdas)
    sqs_requests = sum(count for (service, _), count in METER.requests.items() if service == "sqs")
    costs = {
        "SES": emails * SES_PER_EMAIL * scale,
        "SQS": sqs_requests * SQS_PER_REQUEST * scale,
        "DynamoDB writes": METER.write_units * WRU * scale,
        "DynamoDB reads": METER.read_units * RRU * scale,
        "Lambda requests": invocations * LAMBDA_REQUEST * scale,
        "API Gateway requests": api_requests * HTTP_API_REQUEST * scale,
    }
    durations = {
        "moto wall time": seconds * LAMBDA_GB * LAMBDA_GB_SECOND * scale,
        "CPU time": cpu_seconds * LAMBDA_GB * LAMBDA_GB_SECOND * scale,
    }
    print(f"  non-SES requests per recipient: {non_ses / recipients:.4f} (and {METER.idle_polls} empty long polls)")
    print(
        f"  DynamoDB units per recipient: {METER.write_units / recipients:.2f} write, "
        f"{METER.read_units / recipients:.2f} read; Lambda {invocations} invocations, "
        f"{seconds:.1f} s against moto, {cpu_seconds:.1f} s of CPU"
    )
    print("  cost per 1M recipients (USD):")
    for name, cost in costs.items():
        print(f"    {name:<34} {cost:>9.2f}")
    for name, cost in durations.items():
        print(f"    {'Lambda duration, ' + name:<34} {cost:>9.2f}")
    fixed = sum(cost for name, cost in costs.items() if name != "SES")
    ses_only = 1e6 * SES_PER_EMAIL
    overheads, totals = [], []
    for name, duration in durations.items():
        overhead = (fixed + duration) / ses_only
        overheads.append(overhead)
        totals.append(fixed + duration)
        print(f"    overhead, Lambda at {name:<20} {fixed + duration:>9.2f}  = {overhead:.2%} of SES-only cost")
    return non_ses / recipients, overheads, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=10_000)
    args = parser.parse_args()
    moto, endpoint = start_moto()
    try:
        os.environ.update(
            functions_environment(endpoint),
            SES_MAX_SEND_RATE="100000",  # the code path's own speed; in AWS the account's SES rate bounds it
        )
        return _run(args.contacts)
    finally:
        moto.terminate()
        moto.wait()


def publish_ses_events(campaign_id: str) -> None:
    """The events SES publishes for each email sent, as local mode's simulator builds them (moto's
    SES, in its own process here, is read from what the send recorded instead)."""
    from marketing.campaigns.store.recipients import RecipientRecord
    from marketing.email.services.email_message import Envelope, message_tags
    from marketing_local.ses_simulator import events_for

    events = boto3.client("events")
    entries = []
    for recipient in RecipientRecord.query(campaign_id, filter_condition=RecipientRecord.message_id.exists()):
        envelope = Envelope(campaign_id, recipient.contact_id, recipient.email, "Shop", "news@shop.example")
        raw = f"To: {recipient.email}\r\nX-SES-MESSAGE-TAGS: {message_tags(envelope)}\r\n\r\n"
        entries += events_for(recipient.message_id, raw)
    for start in range(0, len(entries), PUT_EVENTS_LIMIT):  # as many to a request as EventBridge takes
        events.put_events(Entries=entries[start : start + PUT_EVENTS_LIMIT])


def ids_sent(campaign_id: str) -> list[str]:
    from marketing.campaigns.store.recipients import RecipientRecord

    return [item.contact_id for item in RecipientRecord.query(campaign_id) if item.message_id]


def open_and_click(campaign_id: str, contact_ids: list[str]) -> tuple[Lambda, int, int]:
    """OPEN_RATE of the recipients open the email (the pixel), CLICK_RATE click its link, through
    the API's handler as API Gateway calls it; returns the API function, the requests made and
    how many opened."""
    from werkzeug.test import EnvironBuilder

    import api.app
    from marketing.catalog.api_routes import match
    from marketing.email.links import email_links, link_id
    from marketing_local.gateway import Gateway
    from marketing_local.lambda_runtime import LocalContext

    links = email_links()
    openers = contact_ids[: round(OPEN_RATE * len(contact_ids))]
    clickers = contact_ids[: round(CLICK_RATE * len(contact_ids))]
    urls = [links.open_url(campaign_id, contact_id) for contact_id in openers]
    urls += [links.click_url(campaign_id, contact_id, link_id(SALE_URL)) for contact_id in clickers]
    function = Lambda(None, api.app.lambda_handler)
    for url in urls:
        path = url.removeprefix("https://marketing.example")
        route, params = match("GET", path)
        request = EnvironBuilder(path=path, base_url="https://marketing.example").get_request()
        started = time.perf_counter()
        response = api.app.lambda_handler(
            Gateway._event(request, route, params, b"", None), LocalContext("api", timeout_seconds=30)
        )
        function.seconds += time.perf_counter() - started
        function.invocations += 1
        assert response["statusCode"] in (200, 302), response
    return function, len(urls), len(openers)


def _run(count: int) -> int:
    from marketing_local.provision import Provisioner

    os.environ.update(Provisioner(boto3.Session(region_name="eu-west-2"), "bench").everything())
    from marketing.audience.models.segments import RefreshStatus, Segment, SegmentType
    from marketing.audience.store import segments as segment_store
    from marketing.campaigns.models.campaign_requests import CampaignCreate
    from marketing.campaigns.services import campaigns
    from marketing.catalog.tables import bind_tables
    from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS, OPENS, SES_EVENTS, WORKERS
    from marketing.email.models.template_requests import TemplateCreate
    from marketing.email.services import templates

    bind_tables(os.environ, "eu-west-2")
    batch_size = {worker.queue: worker.batch_size for worker in WORKERS}  # as the event sources take them
    started = time.perf_counter()
    load_audience(count)
    now = datetime.now(UTC)
    segment_store.create(
        Segment(
            id="seg_bench",
            name="Everyone",
            description="",
            type=SegmentType.STATIC,
            criteria=None,
            contact_count=count,
            refreshed_at=None,
            refresh_status=RefreshStatus.IDLE,
            created_at=now,
            updated_at=now,
        )
    )
    template = templates.create(
        TemplateCreate(
            name="Bench",
            category="promotional",
            subject="Hello {{ first_name }}",
            html_content=f'<p>Hi {{{{ first_name }}}}</p><p><a href="{SALE_URL}">Sale</a></p>',
        )
    )
    campaign = campaigns.create(
        CampaignCreate(name="Bench", template_id=template.id, segment_id="seg_bench", from_name="Shop")
    )
    print(f"loaded {count} contacts in {time.perf_counter() - started:.1f} s")

    import workers.campaign_delivery
    import workers.campaign_send
    import workers.opens
    import workers.ses_events

    sqs = boto3.client("sqs")
    expand = Lambda(CAMPAIGN_SENDS, workers.campaign_send.lambda_handler)
    deliver = Lambda(CAMPAIGN_DELIVERIES, workers.campaign_delivery.lambda_handler)
    METER.reset()
    started, cpu_started = time.perf_counter(), time.process_time()
    campaigns.send(campaign.id)
    run_until(
        lambda: campaigns.get(campaign.id).status == "sent",
        [
            (expand, os.environ[CAMPAIGN_SENDS.env_var], batch_size[CAMPAIGN_SENDS], 1),
            (deliver, os.environ[CAMPAIGN_DELIVERIES.env_var], batch_size[CAMPAIGN_DELIVERIES], DELIVERY_WORKERS),
        ],
        sqs,
    )
    elapsed, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    with METER.paused():
        progress = campaigns.get(campaign.id).progress
    print(
        f"\ncampaign to {count} contacts: {progress.sent} sent, {progress.suppressed} suppressed, "
        f"{progress.failed} failed in {elapsed:.1f} s = {count / elapsed:.0f} recipients/s "
        f"({DELIVERY_WORKERS} delivery workers; against moto, SES rate unbounded)"
    )
    requests, (overhead_moto, overhead_cpu), send_costs = cost_table(
        "send path", count, progress.sent, [expand, deliver], cpu_seconds
    )

    with METER.paused():  # what SES does to publish its events is not ours to pay
        publish_ses_events(campaign.id)
    METER.reset()
    cpu_started = time.process_time()
    events = Lambda(SES_EVENTS, workers.ses_events.lambda_handler)
    run_until(
        lambda: campaigns.analytics(campaign.id).delivered == progress.sent,
        [(events, os.environ[SES_EVENTS.env_var], batch_size[SES_EVENTS], 2)],
        sqs,
    )
    _, _, event_costs = cost_table(
        "SES events after the send (Send + Delivery per email)", count, 0, [events], time.process_time() - cpu_started
    )
    METER.reset()
    cpu_started = time.process_time()
    api, hits, opened = open_and_click(campaign.id, sorted(ids_sent(campaign.id)))
    first_opens = Lambda(OPENS, workers.opens.lambda_handler)  # the pixel queues first opens
    run_until(
        lambda: campaigns.analytics(campaign.id).opened == opened,
        [(first_opens, os.environ[OPENS.env_var], batch_size[OPENS], 2)],
        sqs,
    )
    _, _, engagement_costs = cost_table(
        f"opens ({OPEN_RATE:.0%} of recipients) and clicks ({CLICK_RATE:.0%})",
        count,
        0,
        [api, first_opens],
        time.process_time() - cpu_started,
        api_requests=hits,
    )
    whole = [
        sum(costs) / (1e6 * SES_PER_EMAIL) for costs in zip(send_costs, event_costs, engagement_costs, strict=True)
    ]
    print(
        f"\nwhole platform per recipient (send path, SES events, opens and clicks): {whole[0]:.2%} of SES cost "
        f"with Lambda billed for its wall time against moto, {whole[1]:.2%} for its CPU time"
    )
    figure(
        "platform cost / SES cost, Lambda at wall time",
        f"{whole[0]:.2%}",
        f"<= {TARGET_WHOLE:.0%}",
        whole[0] <= TARGET_WHOLE,
    )
    figure(
        "platform cost / SES cost, Lambda at CPU time",
        f"{whole[1]:.2%}",
        f"<= {TARGET_WHOLE:.0%}",
        whole[1] <= TARGET_WHOLE,
    )
    figure(
        "send path: non-SES requests per recipient",
        f"{requests:.3f}",
        f"<= {TARGET_REQUESTS}",
        requests <= TARGET_REQUESTS,
    )
    print(
        f"\nsend path: {requests:.4f} non-SES requests per recipient (target <= {TARGET_REQUESTS}: "
        f"{'met' if requests <= TARGET_REQUESTS else 'missed'}); overhead (target <= {TARGET_OVERHEAD:.0%}) "
        f"{overhead_cpu:.2%} of SES cost with Lambda billed for its CPU time "
        f"({'met' if overhead_cpu <= TARGET_OVERHEAD else 'missed'}), {overhead_moto:.2%} billed for its wall "
        f"time against moto ({'met' if overhead_moto <= TARGET_OVERHEAD else 'missed'}); AWS's network waits "
        "lie between the two"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
