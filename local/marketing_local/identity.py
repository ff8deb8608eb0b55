"""The local identity provider: an RSA key pair kept in the local state folder, tokens signed
with it, and verification as API Gateway's JWT authorizer does it (signature, expiry, issuer,
audience)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE = "jwt-signing-key.pem"


class TokenRejected(Exception):
    pass


class LocalIdentityProvider:
    def __init__(self, state_dir: Path, issuer: str, audience: str):
        self.issuer = issuer
        self.audience = audience
        self._private_key = self._load_or_create(state_dir / KEY_FILE)
        self._public_key = self._private_key.public_key()

    @staticmethod
    def _load_or_create(path: Path) -> rsa.RSAPrivateKey:
        if path.exists():
            return serialization.load_pem_private_key(path.read_bytes(), password=None)  # type: ignore[return-value]
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
        return key

    def issue(self, user_id: str, email: str, ttl_seconds: int = 3600, *, email_verified: bool = True) -> str:
        now = int(time.time())
        claims = {
            "sub": user_id,
            "email": email,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        if email_verified:  # left out otherwise, as providers do for an address nobody confirmed
            claims["email_verified"] = True
        return jwt.encode(claims, self._private_key, algorithm="RS256")

    def verify(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRejected(str(exc)) from exc
