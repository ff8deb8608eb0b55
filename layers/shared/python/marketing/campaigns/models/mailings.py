"""Mailings: what email recipients are kept under and counted for.

A mailing is a campaign, or one email of one automation run. Its `id` is how it is stored (the
recipients' key) and carried in an email's links and SES message tags: a campaign's id, or
`<automation id>.<order>.<entry>` for an automation email run. `MailingRef.named` is the one
place that reads that form; everything else works with the kind and the run.
"""

from enum import StrEnum
from typing import NamedTuple

SEPARATOR = "."  # SES message tag values allow letters, digits, _ - . @ only


class MailingKind(StrEnum):
    CAMPAIGN = "campaign"
    AUTOMATION_EMAIL = "automation"


class AutomationEmailRun(NamedTuple):
    automation_id: str
    order: int
    entry: int  # keeps a contact's second run through an automation apart from the first


class MailingRef(NamedTuple):
    kind: MailingKind
    id: str

    @classmethod
    def campaign(cls, campaign_id: str) -> "MailingRef":
        return cls(MailingKind.CAMPAIGN, campaign_id)

    @classmethod
    def automation_email(cls, run: AutomationEmailRun) -> "MailingRef":
        return cls(MailingKind.AUTOMATION_EMAIL, SEPARATOR.join((run.automation_id, str(run.order), str(run.entry))))

    @classmethod
    def named(cls, mailing_id: str) -> "MailingRef":
        """The mailing a stored or carried id names."""
        parts = mailing_id.split(SEPARATOR)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            return cls(MailingKind.AUTOMATION_EMAIL, mailing_id)
        return cls.campaign(mailing_id)

    @property
    def run(self) -> AutomationEmailRun:
        """The automation email run of an automation email's mailing."""
        if self.kind is not MailingKind.AUTOMATION_EMAIL:
            raise ValueError(f"{self.id} is a campaign, not an automation email")
        automation_id, order, entry = self.id.split(SEPARATOR)
        return AutomationEmailRun(automation_id, int(order), int(entry))
