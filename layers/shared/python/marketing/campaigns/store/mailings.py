"""Mailings: what email recipients are kept under and counted for.

A campaign is one mailing (its id). Each email of each automation run is one too, named
`<automation id>.<order>.<entry>`: its recipient records (one: the run's contact) live beside the
campaigns' in the campaign-recipients table, under that id, and the events after the send
(delivery, open, click, bounce, complaint, unsubscribe, conversion) reach them the same way,
through the id in the email's links and SES message tags. Only where the counters go differs:
a campaign's item, or the automation email's counters item. The entry keeps a contact's second
run through an automation apart from the first.

Each kind's store is imported where a mailing of that kind needs it: the campaign workers would
otherwise load the automation models at every cold start for nothing, and the automation workers
the campaign models (decision 48).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from marketing.errors import NotFound
from marketing.money import DEFAULT_CURRENCY
from marketing.store.conditions import Transaction

SEPARATOR = "."  # SES message tag values allow letters, digits, _ - . @ only


class AutomationEmailRun(NamedTuple):
    automation_id: str
    order: int
    entry: int

    @property
    def mailing_id(self) -> str:
        return SEPARATOR.join((self.automation_id, str(self.order), str(self.entry)))


def automation_email(mailing_id: str) -> AutomationEmailRun | None:
    """The automation email run a mailing id names; None for a campaign's id."""
    parts = mailing_id.split(SEPARATOR)
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    return AutomationEmailRun(parts[0], int(parts[1]), int(parts[2]))


def add_counters(tx: Transaction, mailing_id: str, counters: dict[str, int | Decimal]) -> None:
    """Adds to the mailing's counters inside `tx` (with the recipient write that makes them true)."""
    run = automation_email(mailing_id)
    if run is None:
        from marketing.campaigns.store import campaigns as campaign_store  # see the module's note

        campaign_store.add_counters(tx, mailing_id, counters)
    else:
        from marketing.automations.store import automations as automation_store  # see the module's note

        automation_store.add_email_counters(tx, run.automation_id, run.order, counters)


def currency(mailing_id: str) -> str:
    """The currency the mailing's revenue is counted in; NotFound if the mailing is gone."""
    run = automation_email(mailing_id)
    if run is None:
        from marketing.campaigns.store import campaigns as campaign_store  # see the module's note

        return campaign_store.record(mailing_id).currency
    from marketing.automations.store import automations as automation_store  # see the module's note

    if automation_store.find(run.automation_id) is None:
        raise NotFound(f"automation {run.automation_id} not found")
    return DEFAULT_CURRENCY
