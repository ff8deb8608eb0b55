"""bench/send_rate.py's measures, on made-up records of what SES took: the script itself starts
local mode and runs three campaigns (minutes), too long for the suite, so its arithmetic and its
loss and duplicate counts are held here instead."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from send_rate import exactly_once, steady_rate


def test_the_steady_rate_counts_every_email_between_the_campaigns_10_and_90_percent():
    campaign = [(second / 10, f"c-{second}@example.com") for second in range(100)]  # 10 a second
    others = [(5.05 + second / 10, f"w-{second}@example.com") for second in range(10)]  # 10 more in between
    sends = sorted(campaign + others)
    assert steady_rate(campaign, "c", 100) == pytest.approx(10.0)  # alone: exactly its pace
    # From its 11th email (1.0 s) to its 90th (8.9 s): 79 more of its own and the 10 others in 7.9 s.
    assert steady_rate(sends, "c", 100) == pytest.approx(89 / 7.9)


def test_lost_and_doubled_recipients_are_counted():
    sends = [(0.0, "c-0@example.com"), (0.1, "c-1@example.com"), (0.2, "c-1@example.com"), (0.3, "x@example.com")]
    assert exactly_once(sends, "c", 3) == (1, 1)  # c-2 never, c-1 twice
