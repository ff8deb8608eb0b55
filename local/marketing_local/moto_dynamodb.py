"""Two fixes to moto's DynamoDB for local mode, where functions call it from many threads at once.

- One request at a time: moto's tables are plain dicts, so a transaction copying a table while
  another request adds an item failed with a 500. DynamoDB applies every request atomically;
  serialising the requests gives the same (moto holds the interpreter lock anyway).
- A transaction copies only what it writes: before a TransactWriteItems, moto backs up the table
  of every item in it, one deep copy of the whole table per item, so a 50-recipient claim on a
  10,000-recipient table copied half a million items (and local mode's memory grew by a gigabyte
  every few hundred imported contacts). The backup is now one per table, taken before the first
  write (so all are the same), and holds the table's other items as they are, shared, with a deep
  copy of only the items the transaction writes: moto changes an item in place, and nothing else
  changes meanwhile (one request at a time), so a rollback restores the same state as before.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import defaultdict
from typing import Any

_backups = threading.local()
_one_request_at_a_time = threading.RLock()


def _rollback_copy(table: Any, memo: dict[int, Any]) -> Any:
    """A table's backup: the one taken already in this transaction, or a new one."""
    made: dict[int, Any] | None = getattr(_backups, "tables", None)
    if made is None:  # not a transaction's backup: a whole copy, as moto makes it
        clone = table.__class__.__new__(table.__class__)
        memo[id(table)] = clone
        for name, value in table.__dict__.items():
            clone.__dict__[name] = copy.deepcopy(value, memo)
        return clone
    if id(table) not in made:
        made[id(table)] = _with_written_items_copied(table, _backups.written.get(table.name, []))
    return made[id(table)]


def _with_written_items_copied(table: Any, written: list[tuple[Any, Any]]) -> Any:
    clone = copy.copy(table)
    clone.items = defaultdict(dict, table.items)
    for hash_key, range_key in written:
        if hash_key not in table.items:
            continue
        if range_key is None:
            clone.items[hash_key] = copy.deepcopy(table.items[hash_key])
            continue
        if clone.items[hash_key] is table.items[hash_key]:  # a write may add a range key to it
            clone.items[hash_key] = dict(table.items[hash_key])
        if range_key in table.items[hash_key]:
            clone.items[hash_key][range_key] = copy.deepcopy(table.items[hash_key][range_key])
    return clone


def _written_keys(backend: Any, transact_items: list[dict[str, Any]]) -> dict[str, list[tuple[Any, Any]]]:
    """The (hash, range) keys each table's items in the transaction have (an item without its
    keys is refused by moto before any write)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    written: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for transact_item in transact_items:
        operation = next(iter(transact_item.values()), {})
        table = backend.tables.get(operation.get("TableName"))
        key = operation.get("Key") or operation.get("Item")
        if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
            continue
        range_key = key.get(table.range_key_attr) if table.has_range_key else None
        if table.has_range_key and range_key is None:
            continue
        written[table.name].append(
            (DynamoType(key[table.hash_key_attr]), DynamoType(range_key) if range_key is not None else None)
        )
    return written


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
        _backups.tables, _backups.written = {}, _written_keys(self, transact_items)
        try:
            return transact_write_items(self, transact_items)
        finally:
            _backups.tables, _backups.written = None, None

    @functools.wraps(call_action)
    def atomically(self: Any) -> Any:
        with _one_request_at_a_time:
            return call_action(self)

    atomically.patched_for_local_mode = True  # type: ignore[attr-defined]
    Table.__deepcopy__ = _rollback_copy
    DynamoDBBackend.transact_write_items = with_one_copy_per_table
    DynamoHandler.call_action = atomically
