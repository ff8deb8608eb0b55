"""Settings from environment variables, validated once at cold start.

Each function declares the settings it needs as a pydantic model whose field aliases are the
environment variable names; `load_settings` fails the cold start naming every missing or bad
variable, instead of failing later on the first request that needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from marketing.errors import ConfigError

SettingsT = TypeVar("SettingsT", bound=BaseModel)


class BaseSettings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    region: str = Field(alias="AWS_REGION")


class TokenSettings(BaseSettings):
    token_secret_name: str = Field(alias="TOKEN_SECRET_NAME")
    public_base_url: str = Field(alias="PUBLIC_BASE_URL")


class ApiSettings(TokenSettings):
    """What the API function needs besides its tables (marketing.store.tables.bind_tables checks those)."""


def load_settings(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    environ = os.environ if environ is None else environ
    try:
        return model.model_validate(dict(environ))
    except ValidationError as exc:
        problems = ", ".join(
            f"{err['loc'][0]} ({'missing' if err['type'] == 'missing' else err['msg']})" for err in exc.errors()
        )
        raise ConfigError(f"{model.__name__}: bad or missing environment variables: {problems}") from exc
