"""Each mailbox-simulator address the banner lists gets in local mode the events SES gives it."""

from __future__ import annotations

import json

import pytest

from marketing_local.ses_simulator import MAILBOX_SIMULATOR, SIMULATOR_DOMAIN, events_for

EXPECTED_EVENTS = {
    "success": ["Send", "Delivery"],
    "ooto": ["Send", "Delivery"],
    "bounce": ["Send", "Bounce"],
    "suppressionlist": ["Send", "Bounce"],
    "complaint": ["Send", "Delivery", "Complaint"],
}


def test_the_banner_lists_exactly_the_simulated_addresses():
    assert set(MAILBOX_SIMULATOR) == set(EXPECTED_EVENTS)


@pytest.mark.parametrize(("name", "expected"), EXPECTED_EVENTS.items())
def test_each_simulator_address_gets_the_events_ses_gives_it(name, expected):
    raw = f"From: news@shop.example\r\nTo: {name}+label@{SIMULATOR_DOMAIN}\r\nSubject: Hi\r\n\r\nHello"
    assert [json.loads(entry["Detail"])["eventType"] for entry in events_for("m-1", raw)] == expected
