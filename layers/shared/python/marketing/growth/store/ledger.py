"""Posting to a ledger: the entry and the balance change in one DynamoDB transaction.

Both ledgers (loyalty points, gift cards) keep an account item with a `balance` and one entry
item per change, keyed by (account, idempotency key). A posting writes the entry on the
condition that its key is new, and changes the balance on the condition the caller gives (for a
debit: the balance covers it, so it never goes below zero). Either both happen or neither, so
the entries of an account always add up to its balance, a retried posting changes nothing, and
two debits racing for the last of a balance cannot both pass.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from marketing.store.conditions import Transaction, transact


class Posting(Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # an entry with this key exists: posted before, nothing done now
    REFUSED = "refused"  # the balance condition did not hold: nothing done


def post(
    entry: Model,
    account: Model,
    actions: list[Action],
    condition: Condition | None,
    *,
    along: Callable[[Transaction], None] | None = None,
) -> Posting:
    """Saves `entry` (new key only) and applies `actions` to `account` (if `condition` holds);
    `along` adds updates of other items to the same transaction (a refusal of theirs: REFUSED)."""
    entry_key = type(entry)._range_key_attribute() or type(entry)._hash_key_attribute()

    def write(tx) -> None:
        tx.save(entry, entry_key.does_not_exist())
        tx.update(account, actions, condition, add_version_condition=False)
        if along is not None:
            along(tx)

    # PynamoDB sends puts before updates: position 0 is the entry, 1 the account.
    refused = transact(entry.Meta.region, write)
    if 0 in refused:
        return Posting.DUPLICATE
    return Posting.REFUSED if refused else Posting.APPLIED
