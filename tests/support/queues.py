"""Drives workers as Lambda's SQS event source does: receive what is on a queue, hand it to the
handler as one event, delete what the handler did not report as failed."""

from __future__ import annotations

import json
from typing import Any

from marketing.aws.clients import client
from marketing_local.pollers import sqs_event
from tests.support.events import Context


def receive(queue_url: str, limit: int = 10) -> list[dict[str, Any]]:
    return (
        client("sqs")
        .receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=limit, AttributeNames=["All"], MessageAttributeNames=["All"]
        )
        .get("Messages", [])
    )


def deliver(handler, queue_url: str, messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Hands `messages` (default: what is on the queue) to `handler`; returns its response."""
    sqs = client("sqs")
    messages = receive(queue_url) if messages is None else messages
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    response = handler(sqs_event(messages, arn), Context())
    failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return response


def failures(handler, queue_url: str, messages: list[dict[str, Any]]) -> set[str]:
    """Hands `messages` to `handler` as one batch (deleting nothing, so a test can hand them again,
    as SQS may); the ids of the messages it reported failed."""
    arn = client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    response = handler(sqs_event(messages, arn["Attributes"]["QueueArn"]), Context())
    return {item["itemIdentifier"] for item in response["batchItemFailures"]}


def bodies(queue_url: str) -> list[dict[str, Any]]:
    return [json.loads(message["Body"]) for message in receive(queue_url)]
