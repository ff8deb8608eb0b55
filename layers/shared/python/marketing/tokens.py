"""HMAC-signed tokens for links in emails (tracking, unsubscribe, preferences).

A token is `key id . base64url(json payload) . base64url(HMAC-SHA256(purpose || payload))`. The
purpose is part of the MAC so a click token can never be replayed as an unsubscribe token. The key
id names the key that signed it: tokens verify against the secret's current and previous versions
(Secrets Manager's AWSCURRENT and AWSPREVIOUS stages), so rotating the key breaks no link already
sent. Tokens from before key ids (`payload . mac`) verify against the current, then the previous
key. Verification is constant-time; anything malformed, altered, signed for another purpose or by
a key not held is `InvalidToken`. `CompactSigner` signs bytes with the same keys, for a token that
must fit where JSON does not (an email address's local part). `SubjectSigner` signs the many
tokens of one subject (an email's recipient) with one key derived for it: `s key id . subject . MAC
name`, each MAC a short keyed BLAKE2b of its purpose and name (docs/decisions.md, 89).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, NamedTuple

from marketing.aws import clients
from marketing.config import TokenKeySettings, load_settings

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


class InvalidToken(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=8)  # a container holds two keys at a time: its current and previous
def key_id(key: bytes) -> str:
    """A short public name for `key`: the start of a hash of it, which tells nothing of the key."""
    return hashlib.sha256(b"signing-key-id\x00" + key).hexdigest()[:8]


COMPACT_TAG_BITS = 5  # a compact token's key tag: 5 bits, so it shares a byte with 3 bits of its own


def key_tag(key: bytes) -> int:
    """The few bits of `key_id` a compact token names its key by."""
    return int(key_id(key)[:2], 16) & ((1 << COMPACT_TAG_BITS) - 1)


class KeyRing(NamedTuple):
    current: bytes
    previous: bytes | None = None

    def keys_for(self, kid: str | None) -> list[bytes]:
        """The keys a token naming `kid` may have been signed with (None: a token without key id)."""
        held = [key for key in (self.current, self.previous) if key is not None]
        return held if kid is None else [key for key in held if key_id(key) == kid]

    def keys_tagged(self, tag: int) -> list[bytes]:
        """The keys whose compact tag (`key_tag`) is `tag`: a hint, two keys may share one."""
        return [key for key in (self.current, self.previous) if key is not None and key_tag(key) == tag]


class SigningKeys:
    """The key ring, read on first use (routes that never sign pay nothing at cold start) and again
    after `max_age` seconds; sooner, at most every `reread_gap` seconds, when a token names a key
    not held: a container started after a rotation signs with a key the others have not read yet,
    and a forged key id must not make every request read the secret."""

    def __init__(self, read: Callable[[], KeyRing], max_age: float = 3600.0, reread_gap: float = 10.0):
        self._read = read
        self._max_age = max_age
        self._reread_gap = reread_gap
        self._ring: KeyRing | None = None
        self._read_at = 0.0
        self._one_read_at_a_time = threading.Lock()  # threads sending at once share the first read

    def _reread_if_older_than(self, seconds: float) -> KeyRing:
        with self._one_read_at_a_time:
            if self._ring is None or time.monotonic() - self._read_at > seconds:
                self._ring = self._read()
                self._read_at = time.monotonic()
            return self._ring

    def ring(self) -> KeyRing:
        return self._reread_if_older_than(self._max_age)

    def ring_holding(self, kid: str) -> KeyRing:
        ring = self.ring()
        return ring if ring.keys_for(kid) else self._reread_if_older_than(self._reread_gap)

    def ring_tagged(self, tag: int) -> KeyRing:
        ring = self.ring()
        return ring if ring.keys_tagged(tag) else self._reread_if_older_than(self._reread_gap)


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    """HMAC-SHA256 with `key` taken in: copying it costs less than half of taking the key in again,
    and an email signs a dozen tokens or more."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _mac(key: bytes, purpose: str, payload: bytes) -> bytes:
    mac = _keyed(key).copy()
    mac.update(purpose.encode() + b"\x00" + payload)
    return mac.digest()


_CLAIMS = json.JSONEncoder(separators=(",", ":"), sort_keys=True)  # made once: json.dumps makes one per call


class TokenSigner:
    def __init__(self, keys: SigningKeys):
        self._keys = keys

    @property
    def keys(self) -> SigningKeys:
        return self._keys

    def sign(self, purpose: str, claims: dict[str, Any]) -> str:
        key = self._keys.ring().current
        payload = _CLAIMS.encode(claims).encode()
        return f"{key_id(key)}.{_b64(payload)}.{_b64(_mac(key, purpose, payload))}"

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        parts = token.split(".")
        kid = parts.pop(0) if len(parts) == 3 else None
        try:
            encoded_payload, encoded_mac = parts
            payload, mac = _unb64(encoded_payload), _unb64(encoded_mac)
        except ValueError as exc:
            raise InvalidToken("malformed token") from exc
        keys = (self._keys.ring() if kid is None else self._keys.ring_holding(kid)).keys_for(kid)
        if not keys:
            raise InvalidToken("signed by an unknown key")
        if not any(hmac.compare_digest(mac, _mac(key, purpose, payload)) for key in keys):
            raise InvalidToken("bad signature")
        try:
            claims = json.loads(payload)
        except ValueError as exc:
            raise InvalidToken("malformed payload") from exc
        if not isinstance(claims, dict):
            raise InvalidToken("malformed payload")
        return claims

    def for_subject(self, subject: str) -> SubjectSigner:
        """A signer of `subject`'s tokens with the current key; ValueError if `subject` is not
        base64url text."""
        return SubjectSigner(self._keys.ring().current, subject)

    @staticmethod
    def is_subject_token(token: str) -> bool:
        """Whether `token` has the form of a SubjectSigner's: it starts with SUBJECT_MARK, which
        a JSON token never does (it starts with a key id in hex, or with `e`: base64 of `{`)."""
        return token.startswith(SUBJECT_MARK)

    def verify_subject(self, purpose: str, token: str) -> tuple[str, str]:
        """The subject and the name of a SubjectSigner's token signed for `purpose`; InvalidToken for
        anything else. The MAC is compared as the text it is written as: no other spelling verifies."""
        found = _SUBJECT_TOKEN.fullmatch(token)
        if found is None:
            raise InvalidToken("malformed token")
        kid, subject, mac, name = found.groups()
        keys = self._keys.ring_holding(kid).keys_for(kid)
        if not keys:
            raise InvalidToken("signed by an unknown key")
        if not any(
            hmac.compare_digest(mac, _subject_macs(_subject_mac(key, subject), [(purpose, name)])) for key in keys
        ):
            raise InvalidToken("bad signature")
        return subject, name


SUBJECT_MAC_BYTES = 18  # 144 bits: 24 base64 characters without padding, so MACs encode together
_SUBJECT_MAC_CHARS = SUBJECT_MAC_BYTES * 4 // 3
# What a subject's key is derived from: its first byte (0xFF) begins no UTF-8 purpose, so no other
# MAC made with the same key (`_mac`'s `purpose NUL payload`, the do-not-email key) can equal a
# derived key.
_SUBJECT_KEY_LABEL = b"\xffsubject-token-key\x00"
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]*")  # base64url: a subject's and a name's alphabet
SUBJECT_MARK = "s"  # the first character of a SubjectSigner's token: not hex, not `e`
_SUBJECT_TOKEN = re.compile(  # mark, key id . subject . MAC, name
    rf"{SUBJECT_MARK}([0-9a-f]{{8}})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{{{_SUBJECT_MAC_CHARS}}})([A-Za-z0-9_-]*)"
)


def _subject_mac(key: bytes, subject: str) -> hashlib.blake2b:
    """BLAKE2b keyed with the key derived for `subject` (HMAC-SHA256 of the label and the subject),
    ready to be copied for each of its tokens."""
    derived = _keyed(key).copy()
    derived.update(_SUBJECT_KEY_LABEL + subject.encode())
    return hashlib.blake2b(key=derived.digest(), digest_size=SUBJECT_MAC_BYTES)


def _subject_macs(keyed: hashlib.blake2b, tokens: list[tuple[str, str]]) -> str:
    """The MACs of `tokens` (purpose, name), in base64 one after the other (24 characters each)."""
    macs = []
    for purpose, name in tokens:
        mac = keyed.copy()
        mac.update(f"{purpose}\x00{name}".encode())
        macs.append(mac.digest())
    return _b64(b"".join(macs))


class SubjectSigner:
    """The tokens of one subject (a URL-safe text: the recipient of one email), each for a purpose
    and a name ("" or URL-safe: a link's id): `s key id . subject . MAC name`, the MAC 24 characters
    (three parts, as a JSON token's, every character base64url's or a dot). The subject's key,
    HMAC-SHA256(signing key, label || subject), is derived once; each token's MAC is
    BLAKE2b-144(subject's key, purpose || NUL || name), so a token is bound to its subject, its
    purpose and its name, and costs one short hash instead of an HMAC of a JSON payload."""

    def __init__(self, key: bytes, subject: str):
        if not subject or not _URL_SAFE.fullmatch(subject):
            raise ValueError("a subject is base64url text")
        self._prefix = f"{SUBJECT_MARK}{key_id(key)}.{subject}."
        self._keyed = _subject_mac(key, subject)

    def sign(self, purpose: str, name: str = "") -> str:
        return self.sign_each([(purpose, name)])[0]

    def sign_all(self, purpose: str, names: list[str]) -> list[str]:
        """The tokens for each of `names`, in their order."""
        return self.sign_each([(purpose, name) for name in names])

    def sign_each(self, tokens: list[tuple[str, str]]) -> list[str]:
        """The token of each (purpose, name) of `tokens`, in their order (their MACs base64-encoded
        in one go)."""
        if not _URL_SAFE.fullmatch("".join([name for _, name in tokens])):
            raise ValueError("a name is base64url text")
        macs, prefix, width = _subject_macs(self._keyed, tokens), self._prefix, _SUBJECT_MAC_CHARS
        return [f"{prefix}{macs[at * width : (at + 1) * width]}{name}" for at, (_, name) in enumerate(tokens)]


COMPACT_MAC_BYTES = 8  # 64 bits: a forger must send about 2**63 guesses to one address to land one


class CompactSigner:
    """Signed bytes short enough for an email address's local part (64 characters at most), where
    the JSON tokens above do not fit: `header . payload . MAC[:8]`. The header's low 5 bits name
    the signing key (`key_tag`), its high 3 bits are the caller's (a format or version); the MAC
    covers the purpose, the header and the payload. Verifying tries the current and previous keys
    with that tag (rereading the secret, as for a key id not held); anything else is InvalidToken."""

    def __init__(self, keys: SigningKeys):
        self._keys = keys

    def sign(self, purpose: str, flags: int, payload: bytes) -> bytes:
        if not 0 <= flags < 1 << (8 - COMPACT_TAG_BITS):
            raise ValueError(f"flags take {8 - COMPACT_TAG_BITS} bits")
        key = self._keys.ring().current
        signed = bytes([flags << COMPACT_TAG_BITS | key_tag(key)]) + payload
        return signed + _mac(key, purpose, signed)[:COMPACT_MAC_BYTES]

    def verify(self, purpose: str, token: bytes) -> tuple[int, bytes]:
        """The flags and the payload of `token`."""
        if len(token) < 1 + COMPACT_MAC_BYTES:
            raise InvalidToken("malformed token")
        signed, mac = token[:-COMPACT_MAC_BYTES], token[-COMPACT_MAC_BYTES:]
        tag = signed[0] & ((1 << COMPACT_TAG_BITS) - 1)
        keys = self._keys.ring_tagged(tag).keys_tagged(tag)
        if not any(hmac.compare_digest(mac, _mac(key, purpose, signed)[:COMPACT_MAC_BYTES]) for key in keys):
            raise InvalidToken("bad signature")
        return signed[0] >> COMPACT_TAG_BITS, signed[1:]


def secret_version(secrets_manager: Any, secret_name: str, stage: str) -> str | bytes | None:
    """A secret's value at `stage` as Secrets Manager keeps it (text or binary); None for a previous
    version of a secret never rotated."""
    from botocore.exceptions import ClientError

    try:
        found = secrets_manager.get_secret_value(SecretId=secret_name, VersionStage=stage)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException" and stage != CURRENT:
            return None
        raise
    return found["SecretBinary"] if "SecretBinary" in found else found["SecretString"]


def _stage_value(secret_name: str, stage: str) -> bytes | None:
    value = secret_version(clients.client("secretsmanager"), secret_name, stage)
    return value.encode() if isinstance(value, str) else value


def secret_key(secret_name: str) -> bytes:
    """The current version of a secret in Secrets Manager."""
    key = _stage_value(secret_name, CURRENT)
    assert key is not None  # a missing current version raises
    return key


def secret_key_ring(secret_name: str) -> Callable[[], KeyRing]:
    """Reads the current and previous versions of a secret in Secrets Manager."""

    def read() -> KeyRing:
        return KeyRing(secret_key(secret_name), _stage_value(secret_name, PREVIOUS))

    return read


@cache
def deployment_keys() -> SigningKeys:
    """This deployment's secret (TOKEN_SECRET_NAME), its current and previous versions, read on
    first use: one read per container for the signer and the do-not-email hashes alike."""
    return SigningKeys(secret_key_ring(load_settings(TokenKeySettings).token_secret_name))


@cache
def deployment_signer() -> TokenSigner:
    """This deployment's signer. Email links and list cursors sign with it, each under a purpose of
    its own."""
    return TokenSigner(deployment_keys())


@cache
def deployment_compact_signer() -> CompactSigner:
    """This deployment's signer of compact tokens (the mailto unsubscribe address)."""
    return CompactSigner(deployment_keys())
