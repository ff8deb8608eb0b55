from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketing.tokens import InvalidToken, KeyRing, SigningKeys, TokenSigner, key_id

OLD_KEY, KEY, NEXT_KEY = b"o" * 32, b"k" * 32, b"n" * 32


def signer_with(current: bytes, previous: bytes | None = None) -> TokenSigner:
    return TokenSigner(SigningKeys(lambda: KeyRing(current, previous)))


signer = signer_with(KEY)


def test_round_trip():
    token = signer.sign("click", {"r": "rcp_1", "l": 3})
    assert signer.verify("click", token) == {"r": "rcp_1", "l": 3}


def test_a_token_names_its_key_by_an_id_that_is_not_the_key():
    token = signer.sign("click", {"r": "rcp_1"})
    assert token.split(".")[0] == key_id(KEY)
    assert key_id(KEY) != key_id(NEXT_KEY)
    assert KEY.decode() not in key_id(KEY)


def test_a_token_for_one_purpose_is_refused_for_another():
    token = signer.sign("click", {"r": "rcp_1"})
    with pytest.raises(InvalidToken):
        signer.verify("unsubscribe", token)


def test_another_key_is_refused():
    token = signer_with(b"other").sign("click", {"r": "rcp_1"})
    with pytest.raises(InvalidToken):
        signer.verify("click", token)


def test_after_a_rotation_tokens_of_the_previous_key_verify_and_new_ones_use_the_new_key():
    before = signer_with(KEY).sign("click", {"r": "rcp_1"})
    rotated = signer_with(NEXT_KEY, previous=KEY)
    assert rotated.verify("click", before) == {"r": "rcp_1"}
    after = rotated.sign("click", {"r": "rcp_2"})
    assert after.split(".")[0] == key_id(NEXT_KEY)
    with pytest.raises(InvalidToken):  # the key before the previous one is gone
        signer_with(b"x" * 32, previous=NEXT_KEY).verify("click", before)


def test_a_token_naming_an_unknown_key_is_refused_even_if_a_held_key_made_its_mac():
    kid, payload, mac = signer.sign("click", {"r": "rcp_1"}).split(".")
    assert kid != key_id(NEXT_KEY)
    with pytest.raises(InvalidToken, match="unknown key"):
        signer_with(KEY, previous=OLD_KEY).verify("click", f"{key_id(NEXT_KEY)}.{payload}.{mac}")


def test_tokens_without_a_key_id_verify_against_the_current_then_the_previous_key():
    legacy = ".".join(signer_with(OLD_KEY).sign("open", {"c": "cmp_1"}).split(".")[1:])
    assert signer_with(KEY, previous=OLD_KEY).verify("open", legacy) == {"c": "cmp_1"}
    current = ".".join(signer_with(KEY).sign("open", {"c": "cmp_2"}).split(".")[1:])
    assert signer_with(KEY, previous=OLD_KEY).verify("open", current) == {"c": "cmp_2"}
    with pytest.raises(InvalidToken):
        signer_with(NEXT_KEY, previous=KEY).verify("open", legacy)


@given(st.integers(min_value=0), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
def test_any_altered_character_is_refused(position, replacement):
    token = signer.sign("open", {"r": "rcp_123", "c": "cmp_9"})
    index = position % len(token)
    if token[index] in (replacement, "."):
        return
    tampered = token[:index] + replacement + token[index + 1 :]
    try:
        claims = signer.verify("open", tampered)
    except InvalidToken:
        return
    # base64 padding bits can absorb a change without changing the bytes: then nothing changed.
    assert claims == {"r": "rcp_123", "c": "cmp_9"}


@pytest.mark.parametrize("junk", ["", ".", "a.b.c", "a.b.c.d", "not-a-token", "e30.", "!!.!!"])
def test_malformed_tokens_are_refused(junk):
    with pytest.raises(InvalidToken):
        signer.verify("open", junk)


def test_keys_are_read_once_and_only_when_needed():
    reads = []
    lazy = TokenSigner(SigningKeys(lambda: reads.append(1) or KeyRing(KEY)))
    assert reads == []
    lazy.verify("x", lazy.sign("x", {}))
    lazy.sign("x", {})
    assert reads == [1]


def test_keys_are_read_again_after_max_age_or_when_a_token_names_a_key_not_held(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("marketing.tokens.time.monotonic", lambda: now[0])
    rings = [KeyRing(KEY), KeyRing(NEXT_KEY, previous=KEY)]
    reads = []

    def read() -> KeyRing:
        reads.append(1)
        return rings[min(len(reads), len(rings)) - 1]

    keys = SigningKeys(read, max_age=3600, reread_gap=10)
    stale = TokenSigner(keys)
    assert stale.sign("x", {}).split(".")[0] == key_id(KEY)
    fresh_token = signer_with(NEXT_KEY, previous=KEY).sign("x", {"n": 1})  # a container that read after the rotation
    now[0] += 5  # too soon to read again: a forged key id cannot make every request read the secret
    with pytest.raises(InvalidToken, match="unknown key"):
        stale.verify("x", fresh_token)
    now[0] += 10
    assert stale.verify("x", fresh_token) == {"n": 1}
    assert len(reads) == 2
    now[0] += 3601
    stale.sign("x", {})
    assert len(reads) == 3


# --- the tokens of one subject (an email's recipient): one derived key, one short MAC each ---------
SUBJECT = "Y21wXzEAY3RfMQ"  # base64url of "cmp_1\0ct_1"


def _parts(token: str) -> tuple[str, str, str, str]:
    """A subject token's key id, subject, MAC and name: `s<key id>.<subject>.<MAC><name>`."""
    head, subject, tail = token.split(".")
    return head[1:], subject, tail[:24], tail[24:]


def _token(kid: str, subject: str, mac: str, name: str) -> str:
    return f"s{kid}.{subject}.{mac}{name}"


def test_a_subject_token_names_its_key_subject_and_name_and_verifies_for_its_purpose_only():
    token = signer.for_subject(SUBJECT).sign("click", "link-A_1")
    kid, subject, mac, name = _parts(token)
    assert (kid, subject, name, len(mac)) == (key_id(KEY), SUBJECT, "link-A_1", 24)
    assert _token(kid, subject, mac, name) == token
    assert signer.verify_subject("click", token) == (SUBJECT, "link-A_1")
    for other in ("open", "unsubscribe", "preferences"):
        with pytest.raises(InvalidToken, match="bad signature"):
            signer.verify_subject(other, token)
    assert signer.verify_subject("open", signer.for_subject(SUBJECT).sign("open")) == (SUBJECT, "")


def test_a_subject_tokens_name_and_subject_are_bound_to_its_mac():
    one, two = signer.for_subject(SUBJECT).sign_all("click", ["linkA", "linkB"])
    kid, subject, mac, _ = _parts(one)
    with pytest.raises(InvalidToken):  # the MAC of link A under link B's name
        signer.verify_subject("click", _token(kid, subject, mac, "linkB"))
    other_recipient = _parts(signer.for_subject("b3RoZXIAY3RfMQ").sign("click", "linkA"))[2]
    with pytest.raises(InvalidToken):  # link A's MAC for another recipient
        signer.verify_subject("click", _token(kid, subject, other_recipient, "linkA"))
    assert signer.verify_subject("click", two) == (SUBJECT, "linkB")


def test_sign_all_signs_as_sign_does_one_by_one():
    names = ["a", "", "link_1", "x-y"]
    together = signer.for_subject(SUBJECT).sign_all("click", names)
    assert together == [signer.for_subject(SUBJECT).sign("click", name) for name in names]
    assert signer.for_subject(SUBJECT).sign_each([("open", ""), ("click", "a")]) == [
        signer.for_subject(SUBJECT).sign("open"),
        signer.for_subject(SUBJECT).sign("click", "a"),
    ]


def test_subject_tokens_verify_after_a_rotation_and_name_an_unknown_key_as_refused():
    before = signer_with(KEY).for_subject(SUBJECT).sign("unsubscribe")
    rotated = signer_with(NEXT_KEY, previous=KEY)
    assert rotated.verify_subject("unsubscribe", before) == (SUBJECT, "")
    assert _parts(rotated.for_subject(SUBJECT).sign("unsubscribe"))[0] == key_id(NEXT_KEY)
    with pytest.raises(InvalidToken, match="unknown key"):  # the key before the previous one is gone
        signer_with(b"x" * 32, previous=NEXT_KEY).verify_subject("unsubscribe", before)
    _, subject, mac, name = _parts(before)
    with pytest.raises(InvalidToken, match="unknown key"):  # a held key's MAC under another key's id
        signer_with(KEY, previous=OLD_KEY).verify_subject("unsubscribe", _token(key_id(NEXT_KEY), subject, mac, name))


@given(st.integers(min_value=0), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.é"))
def test_any_altered_character_of_a_subject_token_is_refused(position, replacement):
    token = signer.for_subject(SUBJECT).sign("click", "link1")
    index = position % len(token)
    if token[index] == replacement:
        return
    with pytest.raises(InvalidToken):  # the MAC is compared as written: no other spelling verifies
        signer.verify_subject("click", token[:index] + replacement + token[index + 1 :])


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "s..",
        "sa.b.c",
        _token(key_id(KEY), SUBJECT, "A" * 23, ""),
        _token(key_id(KEY), "", "A" * 24, "x"),
        _token(key_id(KEY), "é", "A" * 24, "x"),
        _token(key_id(KEY), SUBJECT, "A" * 24, "x.y"),
        key_id(KEY) + _token(key_id(KEY), SUBJECT, "A" * 24, "x")[9:],  # without its mark
    ],
)
def test_malformed_subject_tokens_are_refused(junk):
    with pytest.raises(InvalidToken):
        signer.verify_subject("click", junk)


def test_a_subject_or_name_that_is_not_url_safe_is_not_signed():
    with pytest.raises(ValueError, match="subject is base64url"):
        signer.for_subject("a.b")
    with pytest.raises(ValueError, match="name is base64url"):
        signer.for_subject(SUBJECT).sign("click", "a/b")


def test_json_tokens_and_subject_tokens_are_told_apart_by_their_first_character():
    assert not TokenSigner.is_subject_token(signer.sign("click", {"c": "cmp_1"}))
    assert not TokenSigner.is_subject_token(".".join(signer.sign("click", {}).split(".")[1:]))  # no key id
    assert TokenSigner.is_subject_token(signer.for_subject(SUBJECT).sign("click", "l"))
    with pytest.raises(InvalidToken):  # and neither verifies as the other
        signer.verify("click", signer.for_subject(SUBJECT).sign("click", "l"))
    with pytest.raises(InvalidToken):
        signer.verify_subject("click", signer.sign("click", {"c": "cmp_1"}))
