"""Where a PynamoDB model finds its table. CDK (and local mode) put each table's name in an
environment variable; a model's `Meta` names that variable, and subclassing TableMeta reads it,
with the region, when the model's module is imported. A function therefore loads and binds only
the stores it imports, not every table of the platform, at cold start (decision 48).

Tests and in-process tools that create tables after the models were imported point them at those
tables with `marketing.catalog.tables.bind_tables`.
"""

from __future__ import annotations

import os
from typing import Any

from marketing.errors import ConfigError


class TableMeta:
    """A PynamoDB `Meta` whose table name comes from the environment variable `table_env`."""

    table_env: str
    table_name: str | None
    region: str | None
    billing_mode = "PAY_PER_REQUEST"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.table_name = os.environ.get(cls.table_env)
        cls.region = os.environ.get("AWS_REGION")


def require_table_names() -> None:
    """Fails the cold start, naming each missing variable, if a store the function imported has no
    table name or region in the environment (instead of failing on the first request using it)."""
    missing = sorted({meta.table_env for meta in TableMeta.__subclasses__() if not meta.table_name})
    refuse_missing(([] if os.environ.get("AWS_REGION") else ["AWS_REGION"]) + missing)


def refuse_missing(variables: list[str]) -> None:
    """A ConfigError naming each of `variables`, if there are any."""
    if variables:
        raise ConfigError(f"missing from the environment: {', '.join(variables)}")
