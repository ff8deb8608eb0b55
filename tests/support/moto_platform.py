"""The platform on in-process moto, made once per test process and emptied between tests.

Creating every resource (22 tables, 16 queues, bus and rules, buckets, secrets, state machine) took
about 1.5 s a test; emptying them takes a few milliseconds. A test therefore finds the resources
as local mode creates them, with nothing of the test before: no items, messages, objects, emails,
schedules or running executions, and the secrets as they were made.

Moto's mock is on only while a test that uses it runs: the end-to-end tests in the same process
talk to a moto server over real HTTP, which an active in-process mock would intercept. Turning it
off keeps its data (`stop(remove_data=False)`), so switching costs a restart, not a rebuild; a
test that starts a `mock_aws` of its own resets moto, and the next test here makes it all again.
"""

from __future__ import annotations

import os

import boto3
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends

from marketing.aws.clients import client
from marketing.catalog.tables import TABLES
from marketing.catalog.topology import AUTOMATION_STATE_MACHINE, IMPORTS_BUCKET_ENV, INBOUND_MAIL_BUCKET_ENV
from marketing_local import moto_patches
from marketing_local.provision import LOCAL_ACCOUNT, Provisioner

SCHEDULE_GROUP_ENV = "CAMPAIGN_SCHEDULE_GROUP"


class MotoPlatform:
    def __init__(self) -> None:
        moto_patches.apply()  # moto as local mode runs it
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._active = False
        self._resources: dict[str, str] | None = None
        self._secrets: dict[str, str] = {}

    @property
    def region(self) -> str:
        return os.environ["AWS_REGION"]

    def activate(self) -> dict[str, str]:
        """Turns the mock on (making every resource the first time) and returns the functions'
        environment for the resources."""
        if not self._active:
            self._mock.start(reset=self._resources is None)
            self._active = True
        if self._resources is None or self._wiped():
            self._resources = Provisioner(boto3.Session(region_name=self.region), "test").everything()
            self._secrets = self._secret_values()
        return dict(self._resources)

    def _wiped(self) -> bool:
        """Whether moto lost the resources: a test with a `mock_aws` of its own resets every backend."""
        assert self._resources is not None
        tables = dynamodb_backends[LOCAL_ACCOUNT][self.region].tables
        return any(self._resources[env_var] not in tables for env_var in TABLES.values())

    def deactivate(self, *, remove_data: bool = False) -> None:
        if self._active:
            self._mock.stop(remove_data=remove_data)
            self._active = False
        if remove_data:
            self._resources = None

    def _secret_values(self) -> dict[str, str]:
        secrets = client("secretsmanager")
        return {
            secret["Name"]: secrets.get_secret_value(SecretId=secret["Name"])["SecretString"]
            for secret in secrets.list_secrets()["SecretList"]
        }

    def empty(self) -> None:
        """Removes what the test left, keeping the resources themselves."""
        assert self._resources is not None
        sfn = client("stepfunctions")
        machine = self._resources[AUTOMATION_STATE_MACHINE.env_var]
        for execution in sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]:
            sfn.stop_execution(executionArn=execution["executionArn"])
        for table in dynamodb_backends[LOCAL_ACCOUNT][self.region].tables.values():
            table.items.clear()
        for queue in sqs_backends[LOCAL_ACCOUNT][self.region].queues.values():
            queue._messages = []
            queue._pending_messages = set()
        ses = ses_backends[LOCAL_ACCOUNT][self.region]
        ses.sent_messages.clear()
        ses.sent_message_count = 0
        s3 = client("s3")
        for bucket_env in (IMPORTS_BUCKET_ENV, INBOUND_MAIL_BUCKET_ENV):
            bucket = self._resources[bucket_env]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if objects:
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
        scheduler = client("scheduler")
        group = self._resources[SCHEDULE_GROUP_ENV]
        for schedule in scheduler.list_schedules(GroupName=group)["Schedules"]:
            scheduler.delete_schedule(Name=schedule["Name"], GroupName=group)
        if self._secret_values() != self._secrets:  # a test rotated a key: the next starts from the first
            self._restore_secrets()

    def _restore_secrets(self) -> None:
        secrets = client("secretsmanager")
        for name, value in self._secrets.items():
            secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
            secrets.create_secret(Name=name, SecretString=value)


PLATFORM = MotoPlatform()
