"""The platform's moving parts besides tables and routes: the event bus and its rules, the queues
and their dead-letter queues, the workers that drain them, the schedules, the imports bucket.

One catalog for two readers, like the route table and the table catalog: CDK deploys exactly this,
and local mode creates the same on the moto server and runs the same workers behind pollers.
Functions find each resource through the environment variable named here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from marketing.errors import ConfigError

SHOP_EVENT_SOURCE = "shop"
EVENT_BUS_ENV = "EVENT_BUS_NAME"
IMPORTS_BUCKET_ENV = "IMPORTS_BUCKET"
IMPORTS_PREFIX = "imports/"


@dataclass(frozen=True)
class Queue:
    name: str  # short name: the deployed queue is "<prefix>-<name>", its DLQ "<prefix>-<name>-dlq"
    env_var: str  # holds the queue's URL
    # Longer than the worker's timeout, so a message is not redelivered while it is being handled.
    visibility_timeout_seconds: int
    # Deliveries before SQS moves a message to the DLQ: transient failures get retries.
    max_receive_count: int = 3

    @property
    def dlq_env_var(self) -> str:
        return self.env_var.replace("_QUEUE_URL", "_DLQ_URL")


@dataclass(frozen=True)
class Worker:
    name: str
    handler: str
    queue: Queue
    batch_size: int
    timeout_seconds: int
    sends_to: tuple[Queue, ...] = ()
    reads_imports: bool = False


@dataclass(frozen=True)
class EventRule:
    """Shop events of these detail types (source `shop`) go to `queue`."""

    name: str
    detail_types: tuple[str, ...]
    queue: Queue


@dataclass(frozen=True)
class Schedule:
    name: str
    handler: str
    # EventBridge's six-field cron (minutes hours day-of-month month day-of-week year), in UTC.
    cron: str
    timeout_seconds: int
    sends_to: tuple[Queue, ...] = ()


SHOP_EVENTS = Queue("shop-events", "SHOP_EVENTS_QUEUE_URL", visibility_timeout_seconds=180)
SEGMENT_REFRESH = Queue("segment-refresh", "SEGMENT_REFRESH_QUEUE_URL", visibility_timeout_seconds=5400)
CONTACT_IMPORTS = Queue("contact-imports", "CONTACT_IMPORTS_QUEUE_URL", visibility_timeout_seconds=5400)

QUEUES: tuple[Queue, ...] = (SHOP_EVENTS, SEGMENT_REFRESH, CONTACT_IMPORTS)

EVENT_RULES: tuple[EventRule, ...] = (
    EventRule(
        "audience",
        ("contact.upserted", "user.registered", "order.paid", "order.refunded"),
        SHOP_EVENTS,
    ),
)

WORKERS: tuple[Worker, ...] = (
    Worker("shop-events", "workers.shop_events.lambda_handler", SHOP_EVENTS, batch_size=10, timeout_seconds=30),
    Worker("segment-refresh", "workers.segment_refresh.lambda_handler", SEGMENT_REFRESH, 1, timeout_seconds=900),
    Worker(
        "contact-import",
        "workers.contact_import.lambda_handler",
        CONTACT_IMPORTS,
        batch_size=1,
        timeout_seconds=900,
        sends_to=(CONTACT_IMPORTS,),
        reads_imports=True,
    ),
)

SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "segment-refresh",
        "schedules.segment_refresh.lambda_handler",
        cron="0 2 * * ? *",
        timeout_seconds=60,
        sends_to=(SEGMENT_REFRESH,),
    ),
)


def shop_event_entries(events: list[dict[str, Any]], bus: str) -> list[dict[str, Any]]:
    """PutEvents entries for shop events given as `{"detail-type": ..., "detail": {...}}` (source
    `shop` unless an event names another): what the CLI and local mode's /local/events publish."""
    return [
        {
            "Source": event.get("source", SHOP_EVENT_SOURCE),
            "DetailType": event["detail-type"],
            "Detail": json.dumps(event.get("detail", {})),
            "EventBusName": bus,
        }
        for event in events
    ]


def resource(env_var: str) -> str:
    """The name or URL a function was given for one resource; a missing one is a config error."""
    try:
        return os.environ[env_var]
    except KeyError:
        raise ConfigError(f"{env_var} is not set: the function was deployed without this resource") from None


def queue_url(queue: Queue) -> str:
    return resource(queue.env_var)


def dead_letter_url(queue: Queue) -> str:
    return resource(queue.dlq_env_var)
