"""Settings every test shares: fake AWS credentials in one region, so nothing can reach AWS,
and the environment the functions read at cold start."""

from __future__ import annotations

import os

import pytest

FUNCTION_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": "eu-west-2",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "TOKEN_SECRET_NAME": "test/token-signing-key",
    "GIFT_CARD_SECRET_NAME": "test/gift-card-code-key",
    "PUBLIC_BASE_URL": "https://marketing.test/api/v1/marketing",
    "POWERTOOLS_SERVICE_NAME": "api",
    "SES_MAX_SEND_RATE": "1000",
    "SHOP_POSTAL_ADDRESS": "Shop Ltd, 1 Test Street, Testville TE1 1ST",
    "POWERTOOLS_METRICS_NAMESPACE": "Marketing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}
os.environ.update(FUNCTION_ENVIRONMENT)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


# Tests that share a costly session fixture run in one process (`--dist loadgroup`): the end-to-end
# journeys share one local stack, the fuzzer starts its own, the infrastructure tests share a synth.
_SHARED_SET_UP = (("tests/e2e/test_fuzz.py", "fuzz-stack"), ("tests/e2e/", "local-stack"), ("tests/infra/", "synth"))


# First: xdist's worker reads the marks in the same hook to give each test its group, and a hook of
# a conftest loaded before xdist's worker plugin would otherwise run after it (the groups were
# silently ignored, and both processes started a local stack of their own).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        path = item.nodeid.replace("\\", "/")
        group = next((group for prefix, group in _SHARED_SET_UP if path.startswith(prefix)), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_runtest_setup(item):
    """In-process moto is on only for the tests that use it (tests/support/moto_platform.py)."""
    if "aws" not in item.fixturenames:
        from tests.support.moto_platform import PLATFORM

        PLATFORM.deactivate()


def pytest_sessionfinish(session):
    from tests.support.moto_platform import PLATFORM

    PLATFORM.deactivate(remove_data=True)
