"""The do-not-email list's keyed hashes: one per address whatever its case or padding, keyed with a
key derived for this purpose alone, and matched across a rotation of the deployment's secret."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from marketing.audience.address_hashes import AddressHasher, address_hash, derived_key, hashes_under
from marketing.tokens import KeyRing, SigningKeys, key_id

OLD_SECRET, SECRET, NEXT_SECRET = b"o" * 32, b"s" * 32, b"n" * 32


def hasher(current: bytes, previous: bytes | None = None) -> AddressHasher:
    return AddressHasher(SigningKeys(lambda: KeyRing(current, previous)))


def test_an_address_hashes_the_same_whatever_its_case_or_surrounding_spaces():
    variants = ["ada@example.com", "Ada@Example.com", "ADA@EXAMPLE.COM", "  ada@example.com\t"]
    assert len({address_hash(SECRET, variant) for variant in variants}) == 1
    assert address_hash(SECRET, "ada@example.com") != address_hash(SECRET, "ada2@example.com")


def test_the_hash_is_keyed_with_a_key_derived_for_this_purpose_and_holds_nothing_of_the_address():
    expected_key = hmac.new(SECRET, b"do-not-email", hashlib.sha256).digest()
    assert derived_key(SECRET) == expected_key != SECRET
    value = address_hash(SECRET, "Ada@Example.com")
    assert value == hmac.new(expected_key, b"ada@example.com", hashlib.sha256).hexdigest()
    # Neither the plain hash of the address (anyone could compute it) nor one under the secret itself
    # (the key that signs links never hashes anything else).
    assert value != hashlib.sha256(b"ada@example.com").hexdigest()
    assert value != hmac.new(SECRET, b"ada@example.com", hashlib.sha256).hexdigest()
    assert "ada" not in value
    assert address_hash(NEXT_SECRET, "ada@example.com") != value


def test_before_any_rotation_there_is_one_hash_named_by_the_secrets_key_id():
    hashes = hasher(SECRET).hashes("ada@example.com")
    assert hashes.previous is None
    assert hashes.all == [hashes.current]
    assert hashes.current.key_id == key_id(SECRET)


def test_after_a_rotation_the_hash_written_before_it_is_the_previous_one():
    before = hasher(SECRET).hashes("Ada@Example.com").current
    after = hasher(NEXT_SECRET, previous=SECRET).hashes("ada@example.com")
    assert after.previous == before
    assert after.current.value != before.value
    assert after.current.key_id == key_id(NEXT_SECRET)
    assert [each.value for each in after.all] == [after.current.value, before.value]
    # A second rotation retires it: why a match under the previous key is written again (decision 79).
    assert before not in hasher(b"x" * 32, previous=NEXT_SECRET).hashes("ada@example.com").all


@given(st.emails())
def test_any_address_has_one_hash_per_held_key(email):
    hashes = hashes_under(KeyRing(NEXT_SECRET, OLD_SECRET), email)
    assert hashes.current.value == address_hash(NEXT_SECRET, email.upper())
    assert hashes.previous is not None
    assert hashes.previous.value == address_hash(OLD_SECRET, f" {email} ")
    assert len(hashes.current.value) == 64


def test_a_secret_put_again_with_the_same_value_gives_one_hash_not_two():
    """Both stages then hold the same key: a second, identical entry would fail the erasure."""
    same = KeyRing(b"k" * 32, b"k" * 32)
    assert hashes_under(same, "ada@example.com").previous is None
    assert len(hashes_under(same, "ada@example.com").all) == 1
