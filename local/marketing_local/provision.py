"""Creates the platform's AWS resources on moto: what the CDK stack creates in AWS, read from the
same catalogs (tables from marketing.catalog.tables, bus, rules, queues and bucket from
marketing.catalog.topology), so local and deployed resources have the same shape.

Used by local mode against the moto server and by the tests against in-process moto; returns the
environment the functions run with (table and bus names, queue URLs, bucket).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pynamodb.models import Model

from marketing.catalog.tables import TABLES
from marketing.catalog.topology import (
    AUTOMATION_STATE_MACHINE,
    CAMPAIGN_SENDS,
    CONTACT_IMPORTS,
    EVENT_BUS_ENV,
    EVENT_RULES,
    IMPORTS_BUCKET_ENV,
    IMPORTS_PREFIX,
    INBOUND_MAIL_BUCKET_ENV,
    INBOUND_UNSUBSCRIBE_PREFIX,
    INBOUND_UNSUBSCRIBES,
    QUEUES,
)
from marketing_local.config import REPO_ROOT

SENDER_DOMAIN = "shop.example"
LOCAL_ACCOUNT = "123456789012"  # moto's default account
SENDER_ADDRESS = f"news@{SENDER_DOMAIN}"


class Provisioner:
    def __init__(self, session: boto3.Session, prefix: str, endpoint_url: str | None = None):
        self._session = session
        self._prefix = prefix
        self._endpoint_url = endpoint_url

    def _client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint_url)

    def _name(self, short: str) -> str:
        return f"{self._prefix}-{short}"

    def tables(self) -> dict[str, str]:
        dynamodb = self._client("dynamodb")
        existing = set(dynamodb.list_tables(Limit=100)["TableNames"])
        names = {}
        for model, env_var in TABLES.items():
            names[env_var] = self._name(env_var.removesuffix("_TABLE").lower().replace("_", "-"))
            if names[env_var] not in existing:
                dynamodb.create_table(TableName=names[env_var], **_table_definition(model))
        waiter = dynamodb.get_waiter("table_exists")
        for name in names.values():
            waiter.wait(TableName=name, WaiterConfig={"Delay": 1})
        return names

    def queues(self, visibility_cap_seconds: int | None) -> dict[str, str]:
        sqs = self._client("sqs")
        environ = {}
        for queue in QUEUES:
            dlq_url = sqs.create_queue(QueueName=self._name(f"{queue.name}-dlq"))["QueueUrl"]
            dlq_arn = self._queue_arn(dlq_url)
            visibility = queue.visibility_timeout_seconds
            if visibility_cap_seconds is not None:
                visibility = min(visibility, visibility_cap_seconds)
            attributes = {
                "VisibilityTimeout": str(visibility),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count}
                ),
            }
            environ[queue.env_var] = sqs.create_queue(QueueName=self._name(queue.name), Attributes=attributes)[
                "QueueUrl"
            ]
            environ[queue.dlq_env_var] = dlq_url
        return environ

    def _queue_arn(self, queue_url: str) -> str:
        attributes = self._client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]

    def event_bus(self, queue_urls: dict[str, str]) -> dict[str, str]:
        """The shop's bus with its rules, and the rules on the default bus (where SES publishes)."""
        events = self._client("events")
        bus = self._name("shop")
        try:
            events.create_event_bus(Name=bus)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                raise
        for rule in EVENT_RULES:
            on_bus = "default" if rule.on_default_bus else bus
            pattern = {"source": [rule.source], "detail-type": list(rule.detail_types)}
            events.put_rule(Name=self._name(rule.name), EventBusName=on_bus, EventPattern=json.dumps(pattern))
            events.put_targets(
                Rule=self._name(rule.name),
                EventBusName=on_bus,
                Targets=[{"Id": rule.queue.name, "Arn": self._queue_arn(queue_urls[rule.queue.env_var])}],
            )
        return {EVENT_BUS_ENV: bus}

    def campaign_schedules(self, queue_urls: dict[str, str]) -> dict[str, str]:
        """The Scheduler group campaign schedules live in (moto stores them; local mode fires them)."""
        group = self._name("campaigns")
        try:
            self._client("scheduler").create_schedule_group(Name=group)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConflictException":
                raise
        return {
            "CAMPAIGN_SCHEDULE_GROUP": group,
            "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{self._name('scheduler')}",
            "CAMPAIGN_SENDS_QUEUE_ARN": self._queue_arn(queue_urls[CAMPAIGN_SENDS.env_var]),
        }

    def _notifying_bucket(self, short: str, notification: str, queue_url: str, prefix: str) -> str:
        """A bucket whose new objects under `prefix` notify the queue, as CDK's event notification."""
        s3 = self._client("s3")
        bucket = self._name(short)
        try:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self._session.region_name})
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "Id": notification,
                        "QueueArn": self._queue_arn(queue_url),
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
                    }
                ]
            },
        )
        return bucket

    def imports_bucket(self, queue_urls: dict[str, str]) -> dict[str, str]:
        bucket = self._notifying_bucket(
            "imports", "contact-import-uploads", queue_urls[CONTACT_IMPORTS.env_var], IMPORTS_PREFIX
        )
        return {IMPORTS_BUCKET_ENV: bucket}

    def inbound_mail_bucket(self, queue_urls: dict[str, str]) -> dict[str, str]:
        """Where SES would store the emails it receives for the List-Unsubscribe mailto (local mode's
        POST /local/inbound puts them there), notifying the inbound-unsubscribes queue."""
        bucket = self._notifying_bucket(
            "inbound-mail",
            "inbound-unsubscribes",
            queue_urls[INBOUND_UNSUBSCRIBES.env_var],
            INBOUND_UNSUBSCRIBE_PREFIX,
        )
        return {INBOUND_MAIL_BUCKET_ENV: bucket}

    def secrets(self) -> dict[str, str]:
        """The link-signing key, and the gift-card key apart from it (rotating the one must not
        change the other's codes)."""
        return {
            "TOKEN_SECRET_NAME": self._random_secret("token-signing-key"),
            "GIFT_CARD_SECRET_NAME": self._random_secret("gift-card-code-key"),
        }

    def _random_secret(self, short: str) -> str:
        name = f"{self._prefix}/{short}"
        try:
            self._client("secretsmanager").create_secret(Name=name, SecretString=secrets.token_urlsafe(32))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceExistsException":
                raise
        return name

    def sender(self) -> dict[str, str]:
        """A verified sending domain and the configuration set sends go through."""
        self._client("ses").verify_domain_identity(Domain=SENDER_DOMAIN)
        configuration_set = self._name("email-events")
        try:
            self._client("sesv2").create_configuration_set(ConfigurationSetName=configuration_set)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "AlreadyExistsException":
                raise
        return {"SENDER_ADDRESS": SENDER_ADDRESS, "SES_CONFIGURATION_SET": configuration_set}

    def automation_state_machine(self, queue_urls: dict[str, str]) -> dict[str, str]:
        """The automation state machine, from the same definition file CDK deploys. moto runs it
        when the server is configured to execute state machines (local mode does that)."""
        machine = AUTOMATION_STATE_MACHINE
        definition = (REPO_ROOT / machine.definition_path).read_text()
        definition = definition.replace(
            "${" + machine.queue_url_placeholder + "}", queue_urls[machine.hands_work_to.env_var]
        )
        sfn = self._client("stepfunctions")
        name = self._name(machine.name)
        existing = {item["name"]: item["stateMachineArn"] for item in sfn.list_state_machines()["stateMachines"]}
        if name in existing:
            sfn.update_state_machine(stateMachineArn=existing[name], definition=definition)
            return {machine.env_var: existing[name]}
        created = sfn.create_state_machine(
            name=name,
            definition=definition,
            roleArn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{self._name('automation-state-machine')}",
            tracingConfiguration={"enabled": True},
        )
        return {machine.env_var: created["stateMachineArn"]}

    def everything(self, visibility_cap_seconds: int | None = None) -> dict[str, str]:
        """Creates every resource (idempotently) and returns the functions' environment for them."""
        queue_urls = self.queues(visibility_cap_seconds)
        return {
            **self.tables(),
            **queue_urls,
            **self.event_bus(queue_urls),
            **self.campaign_schedules(queue_urls),
            **self.automation_state_machine(queue_urls),
            **self.imports_bucket(queue_urls),
            **self.inbound_mail_bucket(queue_urls),
            **self.secrets(),
            **self.sender(),
        }


def _table_definition(model: type[Model]) -> dict[str, Any]:
    """CreateTable's arguments for a PynamoDB model (its keys and indexes), on demand."""
    schema = model._get_schema()
    definition: dict[str, Any] = {
        "AttributeDefinitions": schema["attribute_definitions"],
        "KeySchema": sorted(schema["key_schema"], key=lambda key: key["KeyType"] != "HASH"),
        "BillingMode": "PAY_PER_REQUEST",
    }
    if schema["global_secondary_indexes"]:
        definition["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["index_name"],
                "KeySchema": index["key_schema"],
                "Projection": index["projection"],
            }
            for index in schema["global_secondary_indexes"]
        ]
    return definition
