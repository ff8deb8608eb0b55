"""Where a mailing's counters go and what currency it counts revenue in (models/mailings.py says
what a mailing is). An automation email run's recipient records (one: the run's contact) live
beside the campaigns' in the campaign-recipients table, and the events after the send (delivery,
open, click, bounce, complaint, unsubscribe, conversion) reach them the same way; only where the
counters go differs: a campaign's item, or the automation email's counters item.

Each kind's store is imported where a mailing of that kind needs it: the campaign workers would
otherwise load the automation models at every cold start for nothing, and the automation workers
the campaign models (decision 48).
"""

from __future__ import annotations

from decimal import Decimal

from marketing.campaigns.models.mailings import MailingKind, MailingRef
from marketing.errors import NotFound
from marketing.money import DEFAULT_CURRENCY
from marketing.store.conditions import Transaction


def add_counters(tx: Transaction, mailing: MailingRef, counters: dict[str, int | Decimal]) -> None:
    """Adds to the mailing's counters inside `tx` (with the recipient write that makes them true)."""
    if mailing.kind is MailingKind.CAMPAIGN:
        from marketing.campaigns.store import campaigns as campaign_store  # see the module's note

        campaign_store.add_counters(tx, mailing.id, counters)
    else:
        from marketing.automations.store import automations as automation_store  # see the module's note

        run = mailing.run
        automation_store.add_email_counters(tx, run.automation_id, run.order, counters)


def activity_series(mailing: MailingRef) -> str:
    """The series its activity is counted in (activity store): a campaign's own, or its automation
    email's, all of whose runs count together."""
    if mailing.kind is MailingKind.CAMPAIGN:
        return f"campaign#{mailing.id}"
    return automation_email_series(mailing.run.automation_id, mailing.run.order)


def automation_email_series(automation_id: str, order: int) -> str:
    """The activity series of one email of an automation, every run of it together."""
    return f"automation#{automation_id}#{order}"


def currency(mailing: MailingRef) -> str:
    """The currency the mailing's revenue is counted in; NotFound if the mailing is gone."""
    if mailing.kind is MailingKind.CAMPAIGN:
        from marketing.campaigns.store import campaigns as campaign_store  # see the module's note

        return campaign_store.record(mailing.id).currency
    from marketing.automations.store import automations as automation_store  # see the module's note

    if automation_store.find(mailing.run.automation_id) is None:
        raise NotFound(f"automation {mailing.run.automation_id} not found")
    return DEFAULT_CURRENCY
