"""Readable codes: entropy, grouping, forgiving input, and keyed derivation and hashing."""

from __future__ import annotations

from marketing.growth.codes import ALPHABET, CodeKey, normalise, random_code


def test_random_codes_carry_at_least_64_bits_in_readable_groups():
    gift = random_code()
    assert len(normalise(gift)) * 5 == 80
    assert [len(group) for group in gift.split("-")] == [4, 4, 4, 4]
    referral = random_code(13, "REF")
    assert referral.split("-")[0] == "REF"
    assert [len(group) for group in referral.split("-")[1:]] == [4, 4, 5]
    assert set(normalise(gift)) <= set(ALPHABET)
    assert len({random_code() for _ in range(1000)}) == 1000


def test_input_is_forgiving_about_case_separators_and_look_alikes():
    assert normalise(" abcd-01ol ") == normalise("ABCD 0101") == "ABCD0101"


def test_derived_codes_are_stable_per_key_and_hashes_do_not_contain_the_code():
    key, other = CodeKey(b"k1"), CodeKey(b"k2")
    code = key.derived_code("gc_1")
    assert code == key.derived_code("gc_1") != key.derived_code("gc_2")
    assert other.derived_code("gc_1") != code
    assert key.lookup_hash(code.lower()) == key.lookup_hash(code)
    assert normalise(code) not in key.lookup_hash(code).upper()
    assert other.lookup_hash(code) != key.lookup_hash(code)
