"""Libraries small enough to list newest first from one index partition (templates, segments):
each model adds `listing = UnicodeAttribute(default=<its partition>)` and a NewestFirstIndex."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex


class NewestFirstIndex(GlobalSecondaryIndex):
    """All items of one model newest first (PynamoDB binds each model's instance to that model)."""

    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


def newest_first_page(
    index: GlobalSecondaryIndex,
    partition: str,
    limit: int,
    start_key: dict[str, Any] | None,
    view: Callable[[Any], Any] | None = None,
    filter_condition: Condition | None = None,
) -> tuple[list[Any], dict[str, Any] | None]:
    """One page, newest first, of each record's `view` (default: its domain object), and the key
    to continue from. `index` is any index whose range key is a time."""
    results = index.query(
        partition,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start_key,
        filter_condition=filter_condition,
    )
    return [view(record) if view else record.to_domain() for record in results], results.last_evaluated_key
