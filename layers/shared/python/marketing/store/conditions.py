"""DynamoDB's refusals turned into domain errors, in one place for every repository."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import PynamoDBException

from marketing.errors import DomainError


def is_condition_failure(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


@contextmanager
def on_condition_failure(error: DomainError) -> Iterator[None]:
    """Raises `error` when a write inside the block fails its condition; other errors pass through."""
    try:
        yield
    except PynamoDBException as exc:
        if is_condition_failure(exc):
            raise error from exc
        raise
