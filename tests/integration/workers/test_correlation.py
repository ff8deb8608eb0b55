"""One correlation id from the API request to the SES events of the email it sent: on every SQS
message on the way (attribute), in the email's SES tags, and in the log lines of each worker."""

from __future__ import annotations

import boto3

from marketing.catalog.topology import CAMPAIGN_DELIVERIES, CAMPAIGN_SENDS, SES_EVENTS
from marketing.observability import logger
from marketing_local.ses_simulator import SesEventSimulator
from tests.support.campaigns import campaign_for, drain, outbox, subscriber
from tests.support.events import STAFF, Context, http_event
from tests.support.queues import receive


def test_a_send_request_id_follows_the_campaign_to_its_ses_events(aws, api_handler):
    ada = subscriber(api_handler, "ada@example.com", "Ada")
    campaign = campaign_for(api_handler, [ada["contact_id"]])
    request = http_event("POST", f"/campaigns/{campaign['id']}/send/", authorizer=STAFF)
    request["requestContext"]["requestId"] = "req-corr-1"
    assert api_handler(request, Context())["statusCode"] == 202

    [queued] = receive(aws[CAMPAIGN_SENDS.env_var])
    assert queued["MessageAttributes"]["correlation_id"]["StringValue"] == "req-corr-1"
    boto3.client("sqs").change_message_visibility(
        QueueUrl=aws[CAMPAIGN_SENDS.env_var], ReceiptHandle=queued["ReceiptHandle"], VisibilityTimeout=0
    )
    drain(aws, CAMPAIGN_SENDS)
    [batch] = receive(aws[CAMPAIGN_DELIVERIES.env_var])
    assert batch["MessageAttributes"]["correlation_id"]["StringValue"] == "req-corr-1"
    boto3.client("sqs").change_message_visibility(
        QueueUrl=aws[CAMPAIGN_DELIVERIES.env_var], ReceiptHandle=batch["ReceiptHandle"], VisibilityTimeout=0
    )
    drain(aws, CAMPAIGN_DELIVERIES)
    [email] = outbox()
    assert "correlation_id=req-corr-1" in email["X-SES-MESSAGE-TAGS"]

    SesEventSimulator(boto3.client("events")).publish_new()
    logger.set_correlation_id("something else")
    drain(aws, SES_EVENTS)  # the worker logs each event under the id from the email's tags
    assert logger.get_correlation_id() == "req-corr-1"
