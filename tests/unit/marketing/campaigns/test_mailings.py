"""A mailing is a kind and an id: the id's stored form is read in one place."""

from __future__ import annotations

import pytest

from marketing.campaigns.models.mailings import AutomationEmailRun, MailingKind, MailingRef


def test_an_automation_emails_mailing_round_trips_through_its_id():
    mailing = MailingRef.automation_email(AutomationEmailRun("aut_1", 2, 3))
    assert mailing == MailingRef(MailingKind.AUTOMATION_EMAIL, "aut_1.2.3")
    assert MailingRef.named(mailing.id) == mailing
    assert mailing.run == AutomationEmailRun("aut_1", 2, 3)


@pytest.mark.parametrize("campaign_id", ["cmp_1", "cmp.1", "a.b.c", "a.1.b"])
def test_anything_else_is_a_campaign_which_has_no_run(campaign_id):
    mailing = MailingRef.named(campaign_id)
    assert mailing == MailingRef.campaign(campaign_id)
    with pytest.raises(ValueError, match="campaign"):
        _ = mailing.run
