from __future__ import annotations

import pytest

from marketing.config import ApiSettings, load_settings
from marketing.errors import ConfigError


def test_missing_variables_fail_the_cold_start_naming_each_one():
    with pytest.raises(ConfigError) as error:
        load_settings(ApiSettings, {"AWS_REGION": "eu-west-2"})
    message = str(error.value)
    for name in ("TEMPLATES_TABLE", "TOKEN_SECRET_NAME", "PUBLIC_BASE_URL"):
        assert name in message


def test_complete_environment_loads():
    settings = load_settings(
        ApiSettings,
        {
            "AWS_REGION": "eu-west-2",
            "TEMPLATES_TABLE": "t",
            "CONTACTS_TABLE": "c",
            "CONTACT_EMAILS_TABLE": "e",
            "SUBSCRIBERS_TABLE": "s",
            "TOKEN_SECRET_NAME": "s",
            "PUBLIC_BASE_URL": "https://x",
        },
    )
    assert settings.templates_table == "t"
    assert settings.region == "eu-west-2"
