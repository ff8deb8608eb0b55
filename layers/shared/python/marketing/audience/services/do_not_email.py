"""Do-not-email rules (decision 79).

- Erasing a contact puts its address on the list, as a keyed hash (audience/address_hashes.py),
  with its subscriber's opt-out or suppression as the reason, else `erased_on_request`; in the
  erasure's last transaction (services/contact_data). An entry only ever gets stronger.
- An opt-out or a suppression stays with the address when no contact holds it any more: a
  contact's changed address lists the old one in the change's transaction (services/contacts),
  and a bounce or complaint of an address no contact has (a test send, a gift card's recipient,
  a contact erased since) lists it (`keep`).
- Nothing subscribes a listed address: imports, `user.registered`, the customer's own subscribe
  and staff are all refused (`OnDoNotEmailList`, a 422 naming the field). An unsubscribed or
  erased address takes its owner's confirmed (double) opt-in, which lifts the entry in the
  subscription's transaction; a bounced or complained one never (decision 85).
- Sends check it as a last line (campaigns/services/delivery.py, test sends): an address that
  became a subscribed contact some other way (a changed address, a race) still gets nothing.
- A match under the previous version of the secret only is written again under the current one
  when the address comes back, so an entry survives the next rotation too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from marketing import clock
from marketing.audience.address_hashes import AddressHashes, address_hasher
from marketing.audience.models.do_not_email import (
    LIFTED_BY_CONFIRMED_OPT_IN,
    STRENGTH,
    DoNotEmailEntry,
    erasure_reason,
    stronger,
)
from marketing.audience.models.subscribers import SubscriberStatus
from marketing.audience.store import do_not_email as store
from marketing.audience.store.do_not_email import Listing
from marketing.errors import BusinessRuleViolation
from marketing.observability import logger


class OnDoNotEmailList(BusinessRuleViolation):
    """A subscription refused because the address is on the do-not-email list."""

    def __init__(self, entry: DoNotEmailEntry, field: str):
        reason = entry.refusal()
        super().__init__(reason, [{"field": field, "reason": reason}])
        self.entry = entry


def _strongest(entries: Iterable[DoNotEmailEntry]) -> DoNotEmailEntry | None:
    """The entry that decides: the strongest reason, the earliest day for it."""
    return min(entries, key=lambda entry: (-STRENGTH.index(entry.reason), entry.since), default=None)


def _found(hashes: AddressHashes) -> dict[str, DoNotEmailEntry]:
    return store.find([address_hash.value for address_hash in hashes.all])


def entry_of(email: str) -> DoNotEmailEntry | None:
    """The address's entry, if it is on the list (read only: what an export shows)."""
    return _strongest(_found(address_hasher().hashes(email)).values())


def check(email: str) -> DoNotEmailEntry | None:
    """The address's entry, if it is on the list; one found under the previous version of the secret
    only is written under the current one too."""
    hashes = address_hasher().hashes(email)
    found = _found(hashes)
    entry = _strongest(found.values())
    rekey = entry is not None and hashes.current.value not in found
    if rekey and store.put(Listing(hashes.current.value, hashes.current.key_id, entry, replaces=None)):
        logger.info("do-not-email entry re-keyed under the secret's current version")
    return entry


def refuse_subscribing(email: str, field: str) -> None:
    """OnDoNotEmailList, naming `field`, if the address is on the list."""
    entry = check(email)
    if entry is not None:
        raise OnDoNotEmailList(entry, field)


def lift_or_refuse(email: str, field: str, *, confirmed: bool) -> list[Listing]:
    """The address's entries a subscription lifts (removed in its transaction by
    store/do_not_email.remove): none if it is not on the list, all of them if `confirmed` (its
    owner's double opt-in) and the reason may be lifted; otherwise OnDoNotEmailList naming `field`."""
    if not confirmed:
        refuse_subscribing(email, field)
        return []
    hashes = address_hasher().hashes(email)
    found = _found(hashes)
    entry = _strongest(found.values())
    if entry is None:
        return []
    if entry.reason not in LIFTED_BY_CONFIRMED_OPT_IN:
        raise OnDoNotEmailList(entry, field)
    return [
        Listing(each.value, each.key_id, found[each.value], replaces=found[each.value].reason)
        for each in hashes.all
        if each.value in found
    ]


def keep(email: str, status: SubscriberStatus) -> None:
    """Lists an address that bounced or complained (`status`) that no contact holds."""
    store.put_all(listings_for(email, status))


def listed(addresses: Mapping[str, str]) -> set[str]:
    """Which of `addresses` (address by any key, e.g. contact id) are on the list: one batch read."""
    hasher = address_hasher()
    hashes = {key: hasher.hashes(email) for key, email in addresses.items()}
    found = store.find([address_hash.value for each in hashes.values() for address_hash in each.all])
    return {key for key, each in hashes.items() if any(address_hash.value in found for address_hash in each.all)}


def listings_for(email: str, status: SubscriberStatus | None) -> list[Listing]:
    """The writes that put an address on the list for `status` (an opt-out or a suppression; for
    an erased contact, none: the erasure itself), under the current and the previous version of
    the secret: none where the entry is already what it should be (listing again changes nothing).
    A stronger reason found there stays, with its day."""
    hashes = address_hasher().hashes(email)
    found = _found(hashes)
    reason = erasure_reason(status)
    held = _strongest(found.values())
    if held is not None and stronger(held.reason, reason) == held.reason:
        entry = held
    else:
        entry = DoNotEmailEntry(reason=reason, since=clock.utcnow().date())
    return [
        Listing(each.value, each.key_id, entry, replaces=found[each.value].reason if each.value in found else None)
        for each in hashes.all
        if found.get(each.value) != entry
    ]
