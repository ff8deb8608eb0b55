"""Segment evaluation at scale: loads N contacts into a moto server (the local stack's DynamoDB,
in its own process so its memory is not counted), then evaluates a nested dynamic segment the way
the refresh worker does (parallel scan, members written as they match), and prints contacts per
second, DynamoDB read units per contact and peak memory.

    .venv/bin/python bench/segment_evaluation.py                 # 100,000 contacts
    .venv/bin/python bench/segment_evaluation.py --contacts 25000 --contacts 100000

Read units are computed from item sizes as DynamoDB bills a Scan (per 1 MB page, the page's item
bytes rounded up to 4 KB, halved for eventually consistent reads); moto's ConsumedCapacity is a
constant per call, printed for reference only. Peak memory is Python's traced allocations during
the evaluation: flat in N means the evaluation streams. Target: <= 0.25 read units per contact.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "layers" / "shared" / "python"), str(REPO_ROOT / "local")]

import boto3  # noqa: E402
from moto_server import moto_environment, start_moto  # noqa: E402

from marketing.audience.models.segments import parse_criteria  # noqa: E402
from marketing.audience.store.contacts import ContactRecord  # noqa: E402
from marketing.catalog.tables import TABLES, bind_tables  # noqa: E402
from marketing_local.provision import Provisioner  # noqa: E402

TARGET_READ_UNITS = 0.25
CRITERIA = {
    "all": [
        {"min_order_count": 1},
        {"any": [{"tags": {"any": ["vip"]}}, {"lifecycle_stage": "customer"}]},
        {"subscribed": True},
    ]
}
STAGES = ["lead", "customer", "repeat_customer", "vip", "churned"]
TAGS = ["vip", "newsletter", "wholesale", "early", "b2b"]


def load_contacts(count: int) -> None:
    rng = random.Random(7)  # noqa: S311 - repeatable test data, not secrets
    now = datetime.now(UTC)
    with ContactRecord.batch_write() as batch:
        for number in range(count):
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


def evaluate() -> tuple[int, object, float, int]:
    from marketing.audience.services.segments import matching_contacts
    from marketing.audience.store import segments as segment_store

    criteria = parse_criteria(CRITERIA)
    tracemalloc.start()
    started = time.perf_counter()
    matched, cost = matching_contacts(criteria, lambda ids: segment_store.write_members("seg_bench", ids, 1))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return matched, cost, elapsed, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, action="append", help="contacts to load (repeatable)")
    args = parser.parse_args()
    sizes = args.contacts or [100_000]
    print(f"criteria: {CRITERIA}")
    print(
        f"{'contacts':>9} {'load s':>7} {'eval s':>7} {'contacts/s':>11} {'members':>8} "
        f"{'RU/contact':>11} {'moto RU':>8} {'peak MiB':>9}"
    )
    worst = 0.0
    for size in sizes:
        moto, endpoint = start_moto()
        try:
            os.environ.update(moto_environment(endpoint))
            environment = Provisioner(boto3.Session(region_name="eu-west-2"), "bench").everything()
            bind_tables(environment, "eu-west-2")
            for model in TABLES:  # each run has its own moto server: drop clients bound to the last one
                model._connection = None
            started = time.perf_counter()
            load_contacts(size)
            loaded = time.perf_counter() - started
            matched, cost, elapsed, peak = evaluate()
        finally:
            moto.terminate()
            moto.wait()
        worst = max(worst, cost.per_item())
        print(
            f"{cost.items:>9} {loaded:>7.1f} {elapsed:>7.1f} {cost.items / elapsed:>11.0f} {matched:>8} "
            f"{cost.per_item():>11.4f} {cost.reported_read_units:>8.1f} {peak / 2**20:>9.1f}"
        )
    verdict = "meets" if worst <= TARGET_READ_UNITS else "misses"
    print(f"worst read units per contact: {worst:.4f} ({verdict} the target of {TARGET_READ_UNITS})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
