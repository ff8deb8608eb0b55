from __future__ import annotations

import importlib
import os

import pytest
from moto import mock_aws

from marketing.store.tables import TABLES, bind_tables


@pytest.fixture
def aws():
    """Moto in-process, with every table of the platform created empty."""
    with mock_aws():
        bind_tables(os.environ, os.environ["AWS_REGION"])
        for model in TABLES:
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield


@pytest.fixture
def api_handler(aws):
    """The deployed API handler, cold-started against moto."""
    return importlib.import_module("api.app").lambda_handler
