"""The do-not-email list: the only code that knows how it is stored.

One table, one item per keyed hash of an address (audience/address_hashes.py): the reason, the day
and the name of the secret's version the hash was made with. No address, no name, no contact id.
Items outlive the contacts they were made from (that is their point) and only ever change to a
stronger reason; they are deleted only by their address's confirmed double opt-in, where the reason
allows it (services/do_not_email). Writes are conditional on what was read, so two
writers at once cannot weaken an entry.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from pynamodb.attributes import UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from marketing.audience.models.do_not_email import DoNotEmailEntry, DoNotEmailReason
from marketing.errors import Conflict
from marketing.store.conditions import Transaction, applied, transaction
from marketing.store.table_meta import TableMeta


class DoNotEmailRecord(Model):
    class Meta(TableMeta):
        table_env = "DO_NOT_EMAIL_TABLE"

    address_hash = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()
    since = UnicodeAttribute()  # YYYY-MM-DD
    key_id = UnicodeAttribute()  # the secret's version the hash was made with (tokens.key_id)

    def to_domain(self) -> DoNotEmailEntry:
        return DoNotEmailEntry(reason=DoNotEmailReason(self.reason), since=date.fromisoformat(self.since))


class Listing(NamedTuple):
    """One write of an entry under `address_hash`, over the entry read there before (`replaces`:
    its reason; None: there was none)."""

    address_hash: str
    key_id: str
    entry: DoNotEmailEntry
    replaces: DoNotEmailReason | None

    def attributes(self) -> dict[str, str]:
        return {"reason": self.entry.reason.value, "since": self.entry.since.isoformat(), "key_id": self.key_id}


def _as_read(listing: Listing) -> Condition:
    """The entry is still what the listing was made from."""
    if listing.replaces is None:
        return DoNotEmailRecord.address_hash.does_not_exist()
    return DoNotEmailRecord.reason == listing.replaces.value


def find(address_hashes: list[str]) -> dict[str, DoNotEmailEntry]:
    """The entries under these hashes that exist, by hash (consistent: an erasure a moment ago counts)."""
    if not address_hashes:
        return {}
    records = DoNotEmailRecord.batch_get(sorted(set(address_hashes)), consistent_read=True)
    return {record.address_hash: record.to_domain() for record in records}


def add(tx: Transaction, listings: list[Listing]) -> None:
    """Adds the writes of `listings` to `tx` (an erasure's); a Conflict if an entry changed since it was read."""
    changed = Conflict("the address's do-not-email entry changed meanwhile; try again")
    for listing in listings:
        tx.save(DoNotEmailRecord(listing.address_hash, **listing.attributes()), _as_read(listing), changed)


def put_all(listings: list[Listing]) -> None:
    """Writes `listings` in one transaction of their own; a Conflict if an entry changed since it was read."""
    if listings:
        with transaction(DoNotEmailRecord.Meta.region) as tx:
            add(tx, listings)


def put(listing: Listing) -> bool:
    """Writes one entry on its own (an entry re-keyed under the current version of the secret);
    False, and nothing written, if it changed since it was read."""
    record = DoNotEmailRecord(listing.address_hash, **listing.attributes())
    return applied(lambda: record.save(condition=_as_read(listing)))


def remove(tx: Transaction, listings: list[Listing]) -> None:
    """Adds to `tx` the deletion of these entries (a confirmed opt-in's), each still as read."""
    changed = Conflict("the address's do-not-email entry changed meanwhile; try again")
    for listing in listings:
        tx.delete(DoNotEmailRecord(listing.address_hash), _as_read(listing), changed, add_version_condition=False)
