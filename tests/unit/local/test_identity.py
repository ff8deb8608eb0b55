from __future__ import annotations

import jwt
import pytest

from marketing_local.identity import LocalIdentityProvider, TokenRejected


@pytest.fixture
def idp(tmp_path):
    return LocalIdentityProvider(tmp_path, "http://127.0.0.1:8080/local-idp", "marketing-local")


def test_issued_tokens_verify_and_carry_the_user(idp):
    claims = idp.verify(idp.issue("u-1", "u1@example.com"))
    assert (claims["sub"], claims["email"], claims["email_verified"]) == ("u-1", "u1@example.com", True)
    assert "email_verified" not in idp.verify(idp.issue("u-1", "u1@example.com", email_verified=False))


def test_the_key_survives_restarts(idp, tmp_path):
    token = idp.issue("u-1", "u1@example.com")
    again = LocalIdentityProvider(tmp_path, idp.issuer, idp.audience)
    assert again.verify(token)["sub"] == "u-1"


def test_expired_foreign_and_misaddressed_tokens_are_rejected(idp, tmp_path):
    with pytest.raises(TokenRejected):
        idp.verify(idp.issue("u-1", "a@b.c", ttl_seconds=-10))
    other = LocalIdentityProvider(tmp_path / "other", idp.issuer, idp.audience)
    with pytest.raises(TokenRejected):
        idp.verify(other.issue("u-1", "a@b.c"))
    with pytest.raises(TokenRejected):
        LocalIdentityProvider(tmp_path, "https://elsewhere/", idp.audience).verify(idp.issue("u-1", "a@b.c"))
    with pytest.raises(TokenRejected):
        LocalIdentityProvider(tmp_path, idp.issuer, "another-app").verify(idp.issue("u-1", "a@b.c"))
    unsigned = jwt.encode(
        {"sub": "u-1", "iss": idp.issuer, "aud": idp.audience, "exp": 9999999999}, key=None, algorithm="none"
    )
    with pytest.raises(TokenRejected):
        idp.verify(unsigned)
