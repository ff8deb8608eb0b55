from __future__ import annotations

import importlib
import os

import boto3
import pytest
from moto import mock_aws

from marketing.store.tables import bind_tables
from marketing.topology import AUTOMATION_STATE_MACHINE
from marketing_local.provision import Provisioner


@pytest.fixture
def aws(monkeypatch):
    """Moto in-process with every resource of the platform (tables, queues, bus and rules, bucket,
    secret, state machine) created as local mode creates them; the functions' environment points
    at them. State machines really run (in moto's threads); what still runs at the end is stopped,
    so nothing of one test reaches the next one's queues."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        resources = Provisioner(boto3.Session(region_name=os.environ["AWS_REGION"]), "test").everything()
        for name, value in resources.items():
            monkeypatch.setenv(name, value)
        bind_tables(os.environ, os.environ["AWS_REGION"])
        yield resources
        sfn = boto3.client("stepfunctions")
        machine = resources[AUTOMATION_STATE_MACHINE.env_var]
        for execution in sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]:
            sfn.stop_execution(executionArn=execution["executionArn"])


@pytest.fixture
def api_handler(aws):
    """The deployed API handler, cold-started against moto."""
    return importlib.import_module("api.app").lambda_handler
