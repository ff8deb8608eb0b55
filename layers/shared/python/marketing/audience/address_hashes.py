"""Keyed hashes of addresses: what the do-not-email list keeps instead of an address.

A hash is HMAC-SHA256 of the address as contacts compare it (`email_key`: trimmed, lower-cased),
keyed with a key of its own derived from the deployment's secret (HMAC of the secret and
"do-not-email"): never the key that signs links, and without the secret a leaked table cannot be
matched against a list of addresses. The secret rotates through Secrets Manager's stages (decision
62), so an address has a hash under the current version and one under the previous: the list is
checked for both, and written under both (a container that has not read the new version yet still
finds what a newer one wrote). A hash under a key older than the previous version no longer
matches: decision 79 says what keeps entries across rotations.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import NamedTuple

from marketing.audience.models.contacts import email_key
from marketing.tokens import KeyRing, SigningKeys, deployment_keys, key_id

PURPOSE = b"do-not-email"


def derived_key(secret: bytes) -> bytes:
    """The do-not-email key of one version of the deployment's secret."""
    return hmac.new(secret, PURPOSE, hashlib.sha256).digest()


def address_hash(secret: bytes, email: str) -> str:
    """The hash of `email` under one version of the secret (hex)."""
    return hmac.new(derived_key(secret), email_key(email).encode(), hashlib.sha256).hexdigest()


class AddressHash(NamedTuple):
    value: str
    key_id: str  # names the secret's version, as a link token's kid does (tokens.key_id)


class AddressHashes(NamedTuple):
    current: AddressHash
    previous: AddressHash | None

    @property
    def all(self) -> list[AddressHash]:
        return [self.current] if self.previous is None else [self.current, self.previous]


def hashes_under(ring: KeyRing, email: str) -> AddressHashes:
    """The address's hash under the current key, and under the previous one if there is one that
    differs: a secret put again with the same value leaves both stages the same key, and a second
    entry of the same hash would fail the erasure's transaction."""
    current = AddressHash(address_hash(ring.current, email), key_id(ring.current))
    if ring.previous is None or ring.previous == ring.current:
        return AddressHashes(current, None)
    return AddressHashes(current, AddressHash(address_hash(ring.previous, email), key_id(ring.previous)))


class AddressHasher:
    def __init__(self, keys: SigningKeys):
        self._keys = keys

    def hashes(self, email: str) -> AddressHashes:
        return hashes_under(self._keys.ring(), email)


@cache
def address_hasher() -> AddressHasher:
    """This deployment's hasher (the secret is read on first use, with the link signer's keys)."""
    return AddressHasher(deployment_keys())
