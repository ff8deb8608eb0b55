"""Messages to the platform's queues. One SQS client per container, made on first use; boto3
finds the region and (in local mode) the endpoint in the environment. Every message carries the
correlation id of the request or message that sent it (attribute `correlation_id`), so the
worker that handles it logs under the same id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from marketing.aws import clients
from marketing.catalog.topology import Queue, dead_letter_url, queue_url
from marketing.observability import CORRELATION_ATTRIBUTE, logger

SQS_BATCH = 10  # SendMessageBatch's limit
REASON_ATTRIBUTE = "error_reason"


def _correlation() -> dict[str, Any]:
    """The message attribute that carries the current request's or message's correlation id on."""
    correlation_id = logger.get_correlation_id()
    if not correlation_id:
        return {}
    return {CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": str(correlation_id)[:256]}}


def _sqs() -> Any:
    return clients.client("sqs")


def send(queue: Queue, body: dict[str, Any], delay_seconds: int = 0) -> None:
    _sqs().send_message(
        QueueUrl=queue_url(queue),
        MessageBody=json.dumps(body),
        DelaySeconds=delay_seconds,
        MessageAttributes=_correlation(),
    )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def send_batch(queue: Queue, bodies: Iterable[dict[str, Any]]) -> int:
    """Sends every body, ten to a request; raises if SQS refused any. Returns how many were sent."""
    sent = 0
    for chunk in _chunks(bodies, SQS_BATCH):
        entries = [
            {"Id": str(index), "MessageBody": json.dumps(body), "MessageAttributes": _correlation()}
            for index, body in enumerate(chunk)
        ]
        response = _sqs().send_message_batch(QueueUrl=queue_url(queue), Entries=entries)
        if response.get("Failed"):
            raise RuntimeError(f"SQS refused {len(response['Failed'])} messages: {response['Failed'][0]}")
        sent += len(chunk)
    return sent


def dead_letter(queue: Queue, body: str, reason: str) -> None:
    """Puts a message that can never be handled on the queue's DLQ, with the reason beside it."""
    _sqs().send_message(
        QueueUrl=dead_letter_url(queue),
        MessageBody=body,
        MessageAttributes={
            REASON_ATTRIBUTE: {"DataType": "String", "StringValue": reason[:1000]},
            **_correlation(),
        },
    )
