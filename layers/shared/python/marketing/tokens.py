"""HMAC-signed tokens for links in emails (tracking, unsubscribe, preferences).

A token is `base64url(json payload) . base64url(HMAC-SHA256(purpose || payload))`. The purpose
is part of the MAC so a click token can never be replayed as an unsubscribe token. Verification
is constant-time; anything malformed, altered or signed for another purpose is `InvalidToken`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from typing import Any


class InvalidToken(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, key_provider: Callable[[], bytes]):
        # The key is fetched on first use: routes that never sign pay nothing at cold start.
        self._key_provider = key_provider
        self._key: bytes | None = None

    def _mac(self, purpose: str, payload: bytes) -> bytes:
        if self._key is None:
            self._key = self._key_provider()
        return hmac.new(self._key, purpose.encode() + b"\x00" + payload, hashlib.sha256).digest()

    def sign(self, purpose: str, claims: dict[str, Any]) -> str:
        payload = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._mac(purpose, payload))}"

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        try:
            encoded_payload, encoded_mac = token.split(".")
            payload, mac = _unb64(encoded_payload), _unb64(encoded_mac)
        except ValueError as exc:
            raise InvalidToken("malformed token") from exc
        if not hmac.compare_digest(mac, self._mac(purpose, payload)):
            raise InvalidToken("bad signature")
        try:
            claims = json.loads(payload)
        except ValueError as exc:
            raise InvalidToken("malformed payload") from exc
        if not isinstance(claims, dict):
            raise InvalidToken("malformed payload")
        return claims


def secret_key_provider(secret_name: str) -> Callable[[], bytes]:
    """Reads the signing key from Secrets Manager (cached by Powertools across invocations)."""
    one_read_at_a_time = threading.Lock()  # threads sending at once share the first read's result

    def provide() -> bytes:
        from aws_lambda_powertools.utilities.parameters import get_secret

        with one_read_at_a_time:
            return str(get_secret(secret_name, max_age=3600)).encode()

    return provide
