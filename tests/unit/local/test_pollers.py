"""A local poller fills a batch as Lambda's event source does within its batching window: more than
SQS's 10 messages from several receives, and no more than the batch's size."""

from __future__ import annotations

import boto3
from moto import mock_aws

from marketing_local.pollers import receive_batch


def queue_with(count: int):
    sqs = boto3.client("sqs", region_name="eu-west-2")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    for start in range(0, count, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(number), "MessageBody": str(number)} for number in range(start, min(count, start + 10))
            ],
        )
    return sqs, url


@mock_aws
def test_a_batch_takes_what_the_queue_holds_up_to_its_size_in_several_receives():
    sqs, url = queue_with(135)
    first = receive_batch(sqs, url, 100, 0)
    second = receive_batch(sqs, url, 100, 0)
    assert (len(first), len(second)) == (100, 35)
    assert sorted(int(message["Body"]) for message in first + second) == list(range(135))
    assert receive_batch(sqs, url, 100, 0) == []


@mock_aws
def test_a_batch_of_ten_or_fewer_is_one_receive():
    sqs, url = queue_with(25)
    assert len(receive_batch(sqs, url, 1, 0)) == 1
    assert len(receive_batch(sqs, url, 10, 0)) == 10
