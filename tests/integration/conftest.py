from __future__ import annotations

import importlib
import os

import boto3
import pytest
from moto import mock_aws

from marketing.store.tables import bind_tables
from marketing_local.provision import Provisioner


@pytest.fixture
def aws(monkeypatch):
    """Moto in-process with every resource of the platform (tables, queues, bus and rules, bucket,
    secret) created as local mode creates them; the functions' environment points at them."""
    with mock_aws():
        resources = Provisioner(boto3.Session(region_name=os.environ["AWS_REGION"]), "test").everything()
        for name, value in resources.items():
            monkeypatch.setenv(name, value)
        bind_tables(os.environ, os.environ["AWS_REGION"])
        yield resources


@pytest.fixture
def api_handler(aws):
    """The deployed API handler, cold-started against moto."""
    return importlib.import_module("api.app").lambda_handler
