"""DynamoDB's refusals turned into domain errors, in one place for every repository."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TypeVar

from pynamodb.connection import Connection
from pynamodb.constants import ALL_NEW
from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from marketing.errors import DomainError, NotFound

ModelT = TypeVar("ModelT", bound=Model)


def get_or_not_found(model: type[ModelT], key: str, what: str) -> ModelT:
    """The item with hash key `key`, read consistently, or NotFound naming `what` it is."""
    try:
        return model.get(key, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"{what} {key} not found") from exc


def update_unversioned(
    model: type[ModelT], key: str, actions: list[Action], condition: Condition | None, on_failure: DomainError
) -> ModelT:
    """Changes bookkeeping fields of one item (statuses, counters) without touching its version:
    staff never edit those fields, so their changes are no reason for a staff edit to get a 409.
    Returns the item as it is after the change; `on_failure` if `condition` does not hold."""
    with on_condition_failure(on_failure):
        response = model._get_connection().update_item(key, actions=actions, condition=condition, return_values=ALL_NEW)
    return model.from_raw_data(response["Attributes"])


def is_condition_failure(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def applied(write: Callable[[], object]) -> bool:
    """Runs one conditional write; False (and no error) if its condition did not hold."""
    try:
        write()
    except PynamoDBException as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


@contextmanager
def on_condition_failure(error: DomainError) -> Iterator[None]:
    """Raises `error` when a write inside the block fails its condition; other errors pass through."""
    try:
        yield
    except PynamoDBException as exc:
        if is_condition_failure(exc):
            raise error from exc
        raise


class Transaction:
    """A TransactWrite whose operations each name the domain error their failed condition means."""

    def __init__(self, tx: TransactWrite):
        self._tx = tx
        # PynamoDB sends condition checks, then deletes, then puts, then updates, whatever the
        # order of the calls: DynamoDB's cancellation reasons follow that order.
        self._failures: dict[str, list[DomainError | None]] = {"check": [], "delete": [], "put": [], "update": []}

    def check(
        self, model: type[Model], hash_key: str, condition: Condition, on_failure: DomainError | None = None
    ) -> None:
        """Holds the transaction to `condition` on an item it does not change."""
        self._tx.condition_check(model, hash_key, condition=condition)
        self._failures["check"].append(on_failure)

    def save(self, model: Model, condition: Condition | None = None, on_failure: DomainError | None = None) -> None:
        self._tx.save(model, condition=condition)
        self._failures["put"].append(on_failure)

    def delete(
        self,
        model: Model,
        condition: Condition | None = None,
        on_failure: DomainError | None = None,
        *,
        add_version_condition: bool = True,
    ) -> None:
        self._tx.delete(model, condition=condition, add_version_condition=add_version_condition)
        self._failures["delete"].append(on_failure)

    def update(
        self,
        model: Model,
        actions: list[Action],
        condition: Condition | None = None,
        on_failure: DomainError | None = None,
        *,
        add_version_condition: bool = True,
    ) -> None:
        self._tx.update(model, actions=actions, condition=condition, add_version_condition=add_version_condition)
        self._failures["update"].append(on_failure)

    def failure_at(self, index: int) -> DomainError | None:
        ordered = [error for kind in ("check", "delete", "put", "update") for error in self._failures[kind]]
        return ordered[index] if index < len(ordered) else None


@cache
def connection(region: str) -> Connection:
    """One DynamoDB connection per region for transactions, made once per container: a new one
    per transaction would build a new botocore client each time (~100 ms of CPU)."""
    return Connection(region=region)


# Transactions that meet on one item (e.g. a campaign's counters) are cancelled by DynamoDB with
# TransactionConflict, none of them applied: safe to run again.
CONFLICT_RETRIES = 5


def transact(region: str, write: Callable[[Transaction], None]) -> list[int]:
    """Runs `write(tx)` as one transaction; returns the positions of the operations whose
    condition failed (the whole transaction was then refused), or [] if it went through."""
    return _run(region, write)[0]


def apply(region: str, write: Callable[[Transaction], None]) -> None:
    """Runs `write(tx)` as one transaction, again if it met another on an item; the first failed
    condition raises the error its operation named (or the refusal itself, if it named none)."""
    refused, operations, refusal = _run(region, write)
    for index in refused:
        error = operations.failure_at(index)
        if error is not None:
            raise error from refusal
    if refusal is not None:
        raise refusal


def _run(region: str, write: Callable[[Transaction], None]) -> tuple[list[int], Transaction, TransactWriteError | None]:
    for retry in range(CONFLICT_RETRIES + 1):
        try:
            with TransactWrite(connection=connection(region)) as tx:
                operations = Transaction(tx)
                write(operations)
        except TransactWriteError as exc:
            reasons = [reason.code if reason is not None else None for reason in exc.cancellation_reasons or []]
            refused = [index for index, code in enumerate(reasons) if code == "ConditionalCheckFailed"]
            if refused:
                return refused, operations, exc
            if "TransactionConflict" not in reasons or retry == CONFLICT_RETRIES:
                raise
            time.sleep(0.05 * 2**retry * (0.5 + random.random()))  # noqa: S311 - jitter, not security
        else:
            return [], operations, None
    raise AssertionError("unreachable")


@contextmanager
def transaction(region: str) -> Iterator[Transaction]:
    """A DynamoDB transaction; the first failed condition raises the error its operation named."""
    operations: Transaction | None = None
    try:
        with TransactWrite(connection=connection(region)) as tx:
            operations = Transaction(tx)
            yield operations
    except TransactWriteError as exc:
        for index, reason in enumerate(exc.cancellation_reasons or []):
            if reason is not None and reason.code == "ConditionalCheckFailed" and operations is not None:
                error = operations.failure_at(index)
                if error is not None:
                    raise error from exc
        raise
