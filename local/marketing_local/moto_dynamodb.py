"""Two fixes to moto's DynamoDB for local mode, where functions call it from many threads at once.

- One request at a time: moto's tables are plain dicts, so a transaction copying a table while
  another request adds an item failed with a 500. DynamoDB applies every request atomically;
  serialising the requests gives the same (moto holds the interpreter lock anyway).
- One table copy per transaction: before a TransactWriteItems, moto backs up the table of every
  item in it, one deep copy per item, so a 50-recipient claim on a 10,000-recipient table copied
  half a million items. The copies are all taken before the first write and so are identical;
  the first one is reused for the rest, and a rollback restores the same state as before.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_backups = threading.local()
_one_request_at_a_time = threading.RLock()


def _copy_once_per_transaction(table: Any, memo: dict[int, Any]) -> Any:
    made: dict[int, Any] | None = getattr(_backups, "tables", None)
    if made is not None and id(table) in made:
        return made[id(table)]
    clone = table.__class__.__new__(table.__class__)
    memo[id(table)] = clone
    for name, value in table.__dict__.items():
        clone.__dict__[name] = copy.deepcopy(value, memo)
    if made is not None:
        made[id(table)] = clone
    return clone


def apply() -> None:
    """Patches moto's DynamoDB in this process (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "patched_for_local_mode", False):
        return
    transact_write_items = DynamoDBBackend.transact_write_items
    call_action = DynamoHandler.call_action

    @functools.wraps(transact_write_items)
    def with_one_copy_per_table(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _backups.tables = {}
        try:
            return transact_write_items(self, transact_items)
        finally:
            _backups.tables = None

    @functools.wraps(call_action)
    def atomically(self: Any) -> Any:
        with _one_request_at_a_time:
            return call_action(self)

    atomically.patched_for_local_mode = True  # type: ignore[attr-defined]
    Table.__deepcopy__ = _copy_once_per_transaction
    DynamoDBBackend.transact_write_items = with_one_copy_per_table
    DynamoHandler.call_action = atomically
