"""Lambda's SQS event source mapping, locally: pollers hand each queue's messages to its worker
function in batches and delete what the worker did not report as failed (`batchItemFailures`).

What fails is left alone, as Lambda leaves it: it becomes visible again after the queue's
visibility timeout and, once received `maxReceiveCount` times, SQS (moto) moves it to the DLQ.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from typing import Any

from marketing_local.config import REGION
from marketing_local.lambda_runtime import FunctionError, LocalFunction

log = logging.getLogger("marketing_local.pollers")
WAIT_SECONDS = 1  # long-poll for at most this long, so Ctrl-C stops the pollers quickly
REMEMBERED_EVENTS = 10_000


class HandledEvents:
    """The ids of the EventBridge events whose messages a worker handled (and the poller deleted),
    the latest REMEMBERED_EVENTS of them: `POST /local/events?wait=` answers once its own events
    are among them, whatever else is still on the queue (another event being retried, say)."""

    def __init__(self) -> None:
        self._ids: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._changed = threading.Condition()

    def add(self, bodies: list[str]) -> None:
        with self._changed:
            for body in bodies:
                try:
                    event_id = json.loads(body).get("id")
                except (ValueError, AttributeError):
                    continue
                if isinstance(event_id, str):
                    self._ids[event_id] = None
            while len(self._ids) > REMEMBERED_EVENTS:
                self._ids.popitem(last=False)
            self._changed.notify_all()

    def wait_for(self, event_ids: set[str], timeout: float) -> bool:
        """Whether every one of `event_ids` was handled within `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: event_ids <= self._ids.keys(), timeout)


def _attributes(message_attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        for name, value in message_attributes.items()
    }


SQS_RECEIVE_LIMIT = 10  # messages one ReceiveMessage returns at most


def receive_batch(sqs: Any, queue_url: str, batch_size: int, wait_seconds: int, **options: Any) -> list[dict[str, Any]]:
    """Up to `batch_size` messages for one invocation: as many receives as it takes while the queue
    gives messages, as Lambda's event source fills a batch larger than SQS's 10 within its batching
    window. Locally the window closes once the queue has nothing more to give, so a lone event is
    not held back."""
    messages: list[dict[str, Any]] = []
    wait = wait_seconds
    while len(messages) < batch_size:
        received = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(SQS_RECEIVE_LIMIT, batch_size - len(messages)),
            WaitTimeSeconds=wait,
            **options,
        ).get("Messages", [])
        if not received:
            break
        messages += received
        wait = 0
    return messages


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda builds for a batch of received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": _attributes(message.get("MessageAttributes", {})),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class SqsPoller:
    """`threads` pollers on one queue, each delivering one batch at a time, like concurrent
    Lambda invocations: one slow message does not hold up the rest of the queue.

    Like Lambda's event source mapping, it scales with the backlog: the first poller always polls;
    the others poll only while the queue has work (the first found messages, and has not found it
    empty since). An idle local stack then makes one request a second per queue instead of one per
    poller (measured: an idle stack used 19% of a core, most of it in these requests)."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        function: LocalFunction,
        batch_size: int,
        threads: int,
        handled: HandledEvents | None = None,
    ):
        self._sqs = sqs
        self._handled = handled
        self._queue_url = queue_url
        self._queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._function = function
        self._batch_size = batch_size
        self._stopping = threading.Event()
        self._busy = threading.Event()  # the queue has work: every poller polls
        self._threads = [
            threading.Thread(target=self._poll, args=(index == 0,), name=f"poller-{function.name}-{index}", daemon=True)
            for index in range(threads)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._busy.set()  # wakes the resting pollers, which then see the stop
        for thread in self._threads:
            thread.join(timeout=WAIT_SECONDS + 30)

    def _poll(self, first: bool) -> None:
        while not self._stopping.is_set():
            if not first and not self._busy.wait(WAIT_SECONDS):
                continue  # the queue is idle: rest, and look again at the stop
            if self._stopping.is_set():
                return
            try:
                messages = receive_batch(
                    self._sqs,
                    self._queue_url,
                    self._batch_size,
                    WAIT_SECONDS,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
                if messages:
                    self._busy.set()
                    self._deliver(messages)
                elif first:
                    self._busy.clear()  # the queue was empty: the other pollers rest
            except Exception:  # keep polling, as the event source mapping does; say why it failed
                if self._stopping.is_set():
                    return
                log.exception("polling %s failed", self._queue_url)
                time.sleep(1)

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        try:
            result = self._function.invoke(sqs_event(messages, self._queue_arn))
        except FunctionError as error:
            log.warning("%s failed (%s); the batch will be delivered again", self._function.name, error)
            return
        failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(done)],
            )
            if self._handled is not None:
                self._handled.add([message["Body"] for message in done])
