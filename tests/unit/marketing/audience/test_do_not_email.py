"""The do-not-email entry: its reason from the erased subscriber's status, reasons only ever
strengthen, and what a refused subscription says to the address's owner."""

from __future__ import annotations

from datetime import date

import pytest

from marketing.audience.models.do_not_email import DoNotEmailEntry, DoNotEmailReason, erasure_reason, stronger
from marketing.audience.models.subscribers import SubscriberStatus

Reason = DoNotEmailReason


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (SubscriberStatus.UNSUBSCRIBED, Reason.UNSUBSCRIBED),
        (SubscriberStatus.BOUNCED, Reason.BOUNCED),
        (SubscriberStatus.COMPLAINED, Reason.COMPLAINED),
        (SubscriberStatus.SUBSCRIBED, Reason.ERASED_ON_REQUEST),
        (None, Reason.ERASED_ON_REQUEST),
    ],
)
def test_an_erasure_keeps_the_subscribers_opt_out_or_suppression_else_the_request(status, reason):
    assert erasure_reason(status) == reason


def test_a_stronger_reason_wins_whichever_comes_first():
    assert stronger(Reason.ERASED_ON_REQUEST, Reason.BOUNCED) == Reason.BOUNCED
    assert stronger(Reason.BOUNCED, Reason.ERASED_ON_REQUEST) == Reason.BOUNCED
    assert stronger(Reason.UNSUBSCRIBED, Reason.ERASED_ON_REQUEST) == Reason.UNSUBSCRIBED
    assert stronger(Reason.COMPLAINED, Reason.BOUNCED) == Reason.COMPLAINED


@pytest.mark.parametrize("reason", [Reason.UNSUBSCRIBED, Reason.ERASED_ON_REQUEST])
def test_an_opt_out_is_refused_until_a_confirmed_opt_in(reason):
    assert "by confirming a signup (double opt-in)" in DoNotEmailEntry(reason=reason, since=date(2026, 1, 2)).refusal()


@pytest.mark.parametrize("reason", [Reason.BOUNCED, Reason.COMPLAINED])
def test_a_bounce_or_complaint_is_refused_for_good(reason):
    refusal = DoNotEmailEntry(reason=reason, since=date(2026, 1, 2)).refusal()
    assert "cannot be subscribed again" in refusal
    assert "opt-in" not in refusal
