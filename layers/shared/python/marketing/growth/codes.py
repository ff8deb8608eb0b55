"""Codes people type: gift-card, referral and reward codes.

A code is Crockford base32 (no I, L, O or U, so nothing reads as another character) in groups of
four: `7KQ4-M2XD-9HRT-B3WE` holds 80 random bits, beyond guessing at any rate the API allows.
Input is forgiving the way Crockford's alphabet intends: case, spaces and dashes do not matter,
and O, I, L read as 0, 1, 1.

Gift-card codes are not stored. A card's code is derived from its id with a key kept in Secrets
Manager (so a purchased card's email can be sent again after a crash with the same code), and
the table keeps only a keyed hash of it for lookups: a leaked table yields no usable codes. The
key is a secret of its own, never rotated: a new key would change every card's code and hash,
while the link-signing key can be rotated without touching cards.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from marketing.config import GiftCardSettings, load_settings
from marketing.tokens import secret_key

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _encode(data: bytes, characters: int) -> str:
    number = int.from_bytes(data, "big")
    symbols = []
    for _ in range(characters):
        number, digit = divmod(number, 32)
        symbols.append(ALPHABET[digit])
    return "".join(reversed(symbols))


def grouped(symbols: str, prefix: str = "") -> str:
    groups = [symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP)]
    if len(groups) > 1 and len(groups[-1]) < GROUP - 1:  # no dangling "-C": the tail joins the group before
        groups[-2:] = [groups[-2] + groups[-1]]
    body = "-".join(groups)
    return f"{prefix}-{body}" if prefix else body


def random_code(characters: int = 16, prefix: str = "") -> str:
    """A new random code of `characters` symbols (5 bits each: 16 → 80 bits)."""
    return grouped(_encode(secrets.token_bytes(characters * 5 // 8 + 1), characters), prefix)


def normalise(code: str) -> str:
    """The code as it is compared: upper case, without separators, look-alikes read as digits."""
    return "".join(char for char in code.upper().translate(_READS_AS) if char.isalnum())


class CodeKey:
    """Derives and hashes codes with one secret key, each for its own purpose."""

    def __init__(self, key: bytes):
        self._key = key

    def _mac(self, purpose: str, value: str) -> bytes:
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()

    def derived_code(self, seed: str, characters: int = 16) -> str:
        """The code that belongs to `seed` (a card id): the same every time, unguessable without the key."""
        return grouped(_encode(self._mac("gift-card-code", seed)[:10], characters))

    def lookup_hash(self, code: str) -> str:
        """What the table keeps instead of a code."""
        return self._mac("gift-card-lookup", normalise(code)).hex()


@cache
def code_key() -> CodeKey:
    """This deployment's gift-card key (its current version: it is never rotated)."""
    return CodeKey(secret_key(load_settings(GiftCardSettings).gift_card_secret_name))
