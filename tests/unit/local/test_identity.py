from __future__ import annotations

import jwt
import pytest

from marketing_local.config import JWT_AUDIENCE, JWT_ISSUER
from marketing_local.identity import LocalIdentityProvider, TokenRejected


@pytest.fixture
def idp(tmp_path):
    return LocalIdentityProvider(tmp_path, JWT_ISSUER, JWT_AUDIENCE)


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


def test_a_refusal_says_what_is_wrong_with_the_token(idp, tmp_path):
    def reason(verifier: LocalIdentityProvider, token: str) -> str:
        with pytest.raises(TokenRejected) as refused:
            verifier.verify(token)
        return str(refused.value)

    assert reason(idp, idp.issue("u-1", "a@b.c", ttl_seconds=-10)).startswith("the token expired at 20")
    other_folder = LocalIdentityProvider(tmp_path / "other", idp.issuer, idp.audience)
    assert "MKT_LOCAL_STATE" in reason(idp, other_folder.issue("u-1", "a@b.c"))
    elsewhere = LocalIdentityProvider(tmp_path, "https://elsewhere/", idp.audience)
    assert reason(idp, elsewhere.issue("u-1", "a@b.c")) == (
        f"wrong issuer: the token's is 'https://elsewhere/', local mode's is {JWT_ISSUER!r}"
    )
    another_app = LocalIdentityProvider(tmp_path, idp.issuer, "another-app")
    assert reason(idp, another_app.issue("u-1", "a@b.c")) == (
        f"wrong audience: the token's is 'another-app', local mode's is {JWT_AUDIENCE!r}"
    )
    assert reason(idp, "not.a.jwt").startswith("not a JWT")


def test_the_issuer_does_not_name_a_port_so_any_token_command_matches_any_gateway():
    assert ":" not in JWT_ISSUER.removeprefix("https://")
