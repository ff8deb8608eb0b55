from __future__ import annotations

import importlib
import os

import pytest

from marketing.campaigns.services import send_rate
from marketing.catalog.tables import bind_tables
from tests.support.moto_platform import PLATFORM


@pytest.fixture
def aws(monkeypatch):
    """Moto in-process with every resource of the platform (tables, queues, bus and rules, bucket,
    secrets, state machine) as local mode creates them, made once per test process and emptied
    after each test (tests/support/moto_platform.py); the functions' environment points at them.
    State machines really run (in moto's threads); what still runs at the end is stopped, so
    nothing of one test reaches the next one's queues."""
    resources = PLATFORM.activate()
    for name, value in resources.items():
        monkeypatch.setenv(name, value)
    bind_tables(os.environ, os.environ["AWS_REGION"])
    yield resources
    PLATFORM.empty()
    # A container's pacers remember which send windows are full: an emptied table starts a new account.
    send_rate.shared_pacer.cache_clear()


@pytest.fixture
def api_handler(aws):
    """The deployed API handler, cold-started against moto."""
    return importlib.import_module("api.app").lambda_handler


@pytest.fixture
def no_postal_address(monkeypatch):
    """A deployment without the shop's postal address (the tests' environment has one)."""
    from marketing.campaigns.services import campaigns

    monkeypatch.delenv("SHOP_POSTAL_ADDRESS")
    campaigns._settings.cache_clear()  # read once per container
    yield
    campaigns._settings.cache_clear()
