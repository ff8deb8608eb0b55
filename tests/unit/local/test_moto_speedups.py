import json

import boto3
import jsonpath_ng.ext
from moto import mock_aws
from moto.core import responses
from moto.sqs.responses import SQSResponse

from marketing_local import moto_speedups


def test_applied_twice_the_lookups_are_cached_once_and_answer_as_before():
    moto_speedups.apply()
    cached = responses.method_names_from_class
    moto_speedups.apply()
    assert responses.method_names_from_class is cached
    assert not hasattr(cached.__wrapped__, "cache_info")  # not a cache of a cache
    assert responses.camelcase_to_underscores("TransactWriteItems") == "transact_write_items"
    assert "send_message" in cached(SQSResponse)


def test_each_event_through_a_rules_input_transformer_gets_its_own_values():
    """The parsed input paths are shared between events; the values read with them are not."""
    moto_speedups.apply()
    reused_before = jsonpath_ng.ext.parse.cache_info().hits
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-2")
        events = boto3.client("events", region_name="eu-west-2")
        queue_url = sqs.create_queue(QueueName="targets")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
        events.put_targets(
            Rule="orders",
            Targets=[
                {
                    "Id": "queue",
                    "Arn": queue_arn,
                    "InputTransformer": {
                        "InputPathsMap": {"order": "$.detail.order_id", "kind": "$.detail-type"},
                        "InputTemplate": '{"order": "<order>", "kind": "<kind>"}',
                    },
                }
            ],
        )
        for order_id in ("o-1", "o-2"):
            events.put_events(
                Entries=[{"Source": "shop", "DetailType": "order.paid", "Detail": json.dumps({"order_id": order_id})}]
            )
        bodies = [
            json.loads(message["Body"])
            for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        ]
    assert jsonpath_ng.ext.parse.cache_info().hits >= reused_before + 2  # the second event's paths
    assert sorted(bodies, key=lambda body: body["order"]) == [
        {"order": "o-1", "kind": "order.paid"},
        {"order": "o-2", "kind": "order.paid"},
    ]


def test_a_queues_counts_and_receives_see_waiting_delayed_and_in_flight_messages_apart():
    moto_speedups.apply()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-2")
        queue_url = sqs.create_queue(QueueName="work")["QueueUrl"]
        sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(number), "MessageBody": f"m{number}"} for number in range(3)]
        )
        sqs.send_message(QueueUrl=queue_url, MessageBody="later", DelaySeconds=60)
        [taken] = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, VisibilityTimeout=60)["Messages"]
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        rest = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
        attributes["ApproximateNumberOfMessagesDelayed"],
    ) == ("2", "1", "1")
    assert sorted(message["Body"] for message in rest) == sorted({"m0", "m1", "m2"} - {taken["Body"]})
