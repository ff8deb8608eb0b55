"""Moto's DynamoDB at DynamoDB's cost per page, for the benchmarks' moto server (bench only).

Moto serves every Scan and Query page by sorting the whole table, then walking it from its first
item to the page's start key: each page costs the table's size, so a scan of N items costs N²
(200,000 contacts: hours), where DynamoDB's page costs the page. Here the table's order is kept
until a put or a delete changes the table, and a page starts at its start key by bisection; the
page itself is still moto's own code (segments, filters, limits, sizes, LastEvaluatedKey).
Only pages of the table itself, in key order, are served this way; index queries, backward
queries and first pages keep moto's walk over the kept order. And what moto does per attribute
value through the API model is done with plain JSON: a page's items are written out with
json.dumps (moto's serializer: ~4 ms an item, 1,000 times as long), a request read with json.loads
(the tables here hold no binary attributes, the one type the two readings differ on); an item's
400 KB limit is checked as it grows instead of re-adding every attribute's size at each one. A
page of whole items (no projection) is written out from the stored items, not from deep copies
of them: nothing changes them between the two.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import functools
import json
import types
from typing import Any

_ORDER = "_bench_order"


def _key(item: Any) -> tuple:
    return (item.hash_key.cast_value, item.range_key.cast_value if item.range_key is not None else "")


def _order(table: Any) -> tuple[list[Any], list[tuple], list[Any]]:
    """The table's items in key order, their keys and hash keys (made again after a change)."""
    kept = table.__dict__.get(_ORDER)
    if kept is None or kept[0] is not table.items:
        items = [
            item for hashed in table.items.values() for item in (hashed.values() if table.range_key_attr else (hashed,))
        ]
        items.sort(key=_key)
        keys = [_key(item) for item in items]
        kept = (table.items, items, keys, [key[0] for key in keys])
        table.__dict__[_ORDER] = kept
    return kept[1], kept[2], kept[3]


def _start_key(table: Any, start: dict[str, Any]) -> tuple:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(start[table.hash_key_attr]).cast_value
    range_value = DynamoType(start[table.range_key_attr]).cast_value if table.range_key_attr else ""
    return (hash_value, range_value)


def _with_items(table: Any, items: list[Any], call, *args: Any, **kwargs: Any) -> Any:
    """Runs moto's own `call` on the table as if it held `items` (requests run one at a time)."""
    table.all_items = lambda: items
    try:
        return call(table, *args, **kwargs)
    finally:
        del table.all_items


@contextlib.contextmanager
def _uncopied(whole_items: bool):
    """Inside, moto's table code takes its items as they are instead of deep copies of them."""
    from moto.dynamodb.models import table

    if not whole_items:
        yield
        return
    table.copy = types.SimpleNamespace(deepcopy=lambda value: value)
    try:
        yield
    finally:
        table.copy = copy


def _to_json(value: Any) -> Any:
    return value.to_json()


def _as_json(respond):
    """A handler method whose result goes out as json.dumps writes it (DynamoDB's wire format: the
    result holds its items as {type: value} already)."""
    from moto.core.responses import ActionResult
    from moto.dynamodb import responses
    from moto.dynamodb.models.utilities import dynamo_to_dict

    @functools.wraps(respond)
    def answer(self: Any) -> Any:
        responses.dynamo_to_dict = lambda result: result  # its items stay moto's, written below
        try:
            response = respond(self)
        finally:
            responses.dynamo_to_dict = dynamo_to_dict
        return json.dumps(response.result, default=_to_json) if isinstance(response, ActionResult) else response

    return answer


def _read_json(self: Any, request: Any) -> None:
    self.params = json.loads(request.data or b"{}")


def _size(value: Any) -> int:
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import bytesize

    return value.size() if type(value) is DynamoType else bytesize(str(value))


def _growing(self: Any, key: str, value: Any) -> None:
    """LimitedSizeDict.__setitem__ with the item's size kept as it grows."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.utilities import bytesize

    size = self.__dict__.get("_bench_size")
    if size is None:
        size = sum(bytesize(name) + _size(item) for name, item in self.items())
    if key in self:
        size -= bytesize(key) + _size(self[key])
    size += bytesize(key) + _size(value)
    if size > 405000:
        raise ItemSizeTooLarge
    self.__dict__["_bench_size"] = size
    dict.__setitem__(self, key, value)


def apply() -> None:
    """Patches moto's DynamoDB tables in this process (idempotent)."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    if getattr(Table, "paged_for_bench", False):
        return
    put_item, delete_item, scan, query = Table.put_item, Table.delete_item, Table.scan, Table.query

    @functools.wraps(put_item)
    def put(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.__dict__.pop(_ORDER, None)
        return put_item(self, *args, **kwargs)

    @functools.wraps(delete_item)
    def delete(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.__dict__.pop(_ORDER, None)
        return delete_item(self, *args, **kwargs)

    @functools.wraps(scan)
    def paged_scan(
        self: Any, filters, limit, exclusive_start_key, filter_expression=None, index_name=None, *args, **kwargs
    ) -> Any:
        items, keys, _ = _order(self)
        if exclusive_start_key and index_name is None:
            items = items[bisect.bisect_right(keys, _start_key(self, exclusive_start_key)) :]
            exclusive_start_key = None
        arguments = (filters, limit, exclusive_start_key, filter_expression, index_name, *args)
        whole = index_name is None and not (args[1:2] and args[1]) and not kwargs.get("projection_expression")
        with _uncopied(whole):
            return _with_items(self, items, scan, *arguments, **kwargs)

    @functools.wraps(query)
    def paged_query(
        self: Any,
        hash_key,
        range_comparison,
        range_objs,
        limit,
        start,
        forward,
        projection,
        index_name=None,
        *args,
        **kwargs,
    ) -> Any:
        items, keys, hashes = _order(self)
        if hash_key is not None and forward and index_name is None:
            first = bisect.bisect_left(hashes, hash_key.cast_value)
            if start:
                first, start = bisect.bisect_right(keys, _start_key(self, start)), None
            last = bisect.bisect_right(hashes, hash_key.cast_value)
            conditions = [value for name, value in kwargs.items() if name != "hash_key_conditions" and value]
            if limit and range_comparison is None and not conditions:
                last = min(last, first + limit + 1)  # each item counts to the limit; moto reads one more
            items = items[first:last]
        arguments = (hash_key, range_comparison, range_objs, limit, start, forward, projection, index_name, *args)
        with _uncopied(index_name is None and not projection):
            return _with_items(self, items, query, *arguments, **kwargs)

    Table.put_item, Table.delete_item, Table.scan, Table.query = put, delete, paged_scan, paged_query
    DynamoHandler.scan, DynamoHandler.query = _as_json(DynamoHandler.scan), _as_json(DynamoHandler.query)
    DynamoHandler.parse_parameters = _read_json
    LimitedSizeDict.__setitem__ = _growing
    Table.paged_for_bench = True
