from __future__ import annotations

import pytest

from api.settings import ApiSettings
from marketing.catalog.tables import TABLES, bind_tables
from marketing.config import load_settings
from marketing.errors import ConfigError


def test_missing_variables_fail_the_cold_start_naming_each_one():
    with pytest.raises(ConfigError) as error:
        load_settings(ApiSettings, {"AWS_REGION": "eu-west-2"})
    message = str(error.value)
    for name in ("TOKEN_SECRET_NAME", "PUBLIC_BASE_URL", "SENDER_ADDRESS", "CAMPAIGN_SCHEDULE_GROUP"):
        assert name in message


def test_complete_environment_loads():
    settings = load_settings(
        ApiSettings,
        {
            "AWS_REGION": "eu-west-2",
            "TOKEN_SECRET_NAME": "s",
            "PUBLIC_BASE_URL": "https://x",
            "SENDER_ADDRESS": "news@shop.example",
            "CAMPAIGN_SCHEDULE_GROUP": "g",
            "SCHEDULER_ROLE_ARN": "arn:aws:iam::1:role/r",
            "CAMPAIGN_SENDS_QUEUE_ARN": "arn:aws:sqs:eu-west-2:1:q",
            "SES_MAX_SEND_RATE": "50",
        },
    )
    assert settings.public_base_url == "https://x"
    assert settings.max_send_rate == 50
    assert settings.configuration_set is None
    assert settings.region == "eu-west-2"


def test_a_missing_table_name_fails_the_cold_start_naming_it():
    environ = dict.fromkeys(TABLES.values(), "t")
    del environ["ORDERS_TABLE"]
    with pytest.raises(ConfigError, match="ORDERS_TABLE"):
        bind_tables(environ, "eu-west-2")
