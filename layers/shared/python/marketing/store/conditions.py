"""DynamoDB's refusals turned into domain errors, in one place for every repository."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

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


@contextmanager
def transaction(region: str, failures: Mapping[int, DomainError]) -> Iterator[TransactWrite]:
    """A DynamoDB transaction whose condition failures become domain errors: `failures` maps the
    position of an item in the transaction to the error its failed condition means."""
    try:
        with TransactWrite(connection=Connection(region=region)) as tx:
            yield tx
    except TransactWriteError as exc:
        for index, reason in enumerate(exc.cancellation_reasons or []):
            if reason is not None and reason.code == "ConditionalCheckFailed" and index in failures:
                raise failures[index] from exc
        raise
