"""Contacts over HTTP against local mode: uniqueness holds under concurrent requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e


def test_concurrent_creates_of_one_address_in_any_case_make_one_contact(local_stack):
    staff = local_stack.staff()
    spellings = ["race@example.com", "RACE@example.com", "Race@Example.COM", "race@EXAMPLE.com"] * 3
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda email: staff.send("POST", "contacts/", {"email": email}).status, spellings))
    assert sorted(statuses) == [201] + [409] * (len(spellings) - 1)
    found = staff.call("GET", "contacts/", query={"email": "race@example.com"})
    assert len(found["items"]) == 1
