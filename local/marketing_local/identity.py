"""The local identity provider: an RSA key pair kept in the local state folder, tokens signed
with it, and verification as API Gateway's JWT authorizer does it (signature, expiry, issuer,
audience), refusing with the reason, so a local 401 says what to fix."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE = "jwt-signing-key.pem"


class TokenRejected(Exception):
    """Why a token is refused, in words for the caller (the local gateway's 401 says it)."""


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
            raise TokenRejected(self._reason(token, exc)) from exc

    def _reason(self, token: str, error: jwt.PyJWTError) -> str:
        if isinstance(error, jwt.InvalidSignatureError):
            return (
                "the signature does not verify with local mode's key; make the token with the "
                "MKT_LOCAL_STATE folder local mode runs with (`mkt-local token`)"
            )
        if isinstance(error, jwt.DecodeError):
            return f"not a JWT ({error})"
        claims = jwt.decode(token, options={"verify_signature": False})
        if isinstance(error, jwt.ExpiredSignatureError):
            expired = datetime.fromtimestamp(claims["exp"], UTC).isoformat().replace("+00:00", "Z")
            return f"the token expired at {expired}; make a new one (`mkt-local token`)"
        if isinstance(error, jwt.InvalidIssuerError):
            return f"wrong issuer: the token's is {claims.get('iss')!r}, local mode's is {self.issuer!r}"
        if isinstance(error, jwt.InvalidAudienceError):
            return f"wrong audience: the token's is {claims.get('aud')!r}, local mode's is {self.audience!r}"
        if isinstance(error, jwt.MissingRequiredClaimError):
            return f"the token has no {error.claim!r} claim"
        return str(error)
