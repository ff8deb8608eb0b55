"""Every table of the platform. CDK and local mode read TABLES to create the same tables.

A function's models find their tables by themselves when imported (store/table_meta.py); tests and
in-process tools that create tables after importing the models bind them with `bind_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pynamodb.models import Model

from marketing.activity.store.activity import ActivityRecord
from marketing.audience.store.consents import ConsentRecord
from marketing.audience.store.contacts import ContactEmailRecord, ContactRecord
from marketing.audience.store.do_not_email import DoNotEmailRecord
from marketing.audience.store.import_confirmations import ImportConfirmationRecord
from marketing.audience.store.imports import ImportRecord
from marketing.audience.store.orders import OrderRecord
from marketing.audience.store.segments import SegmentMemberRecord, SegmentRecord
from marketing.audience.store.signups import SignupRecord
from marketing.audience.store.subscribers import SubscriberRecord
from marketing.automations.store.automations import AutomationEmailStatsRecord, AutomationRecord
from marketing.automations.store.carts import CartRecord
from marketing.automations.store.executions import ExecutionRecord
from marketing.campaigns.store.campaigns import CampaignRecord
from marketing.campaigns.store.held_batches import HeldBatchRecord
from marketing.campaigns.store.recipients import RecipientRecord
from marketing.campaigns.store.send_windows import SendWindowRecord
from marketing.email.store.links import LinkRecord
from marketing.email.store.templates import TemplateRecord
from marketing.growth.store.gift_cards import GiftCardEntryRecord, GiftCardRecord
from marketing.growth.store.loyalty import LoyaltyAccountRecord, LoyaltyEntryRecord
from marketing.growth.store.programs import ProgramRecord
from marketing.growth.store.referrals import ReferralCodeRecord, ReferralRecord
from marketing.store.attempts import FailedAttemptRecord
from marketing.store.table_meta import refuse_missing

# Every model with a table; each names its table's environment variable (Meta.table_env).
MODELS: tuple[type[Model], ...] = (
    TemplateRecord,
    LinkRecord,
    ContactRecord,
    ContactEmailRecord,
    SubscriberRecord,
    ConsentRecord,
    SignupRecord,
    DoNotEmailRecord,
    OrderRecord,
    SegmentRecord,
    SegmentMemberRecord,
    ImportRecord,
    ImportConfirmationRecord,
    CampaignRecord,
    RecipientRecord,
    HeldBatchRecord,
    SendWindowRecord,
    AutomationRecord,
    AutomationEmailStatsRecord,
    ExecutionRecord,
    CartRecord,
    ProgramRecord,
    LoyaltyAccountRecord,
    LoyaltyEntryRecord,
    GiftCardRecord,
    GiftCardEntryRecord,
    ReferralCodeRecord,
    ReferralRecord,
    FailedAttemptRecord,
    ActivityRecord,
)
TABLES: dict[type[Model], str] = {model: model.Meta.table_env for model in MODELS}


def bind_tables(environ: Mapping[str, str], region: str) -> None:
    """Points every model at its table in `region`; a missing table name fails, naming it."""
    refuse_missing([env_var for env_var in TABLES.values() if not environ.get(env_var)])
    for model, env_var in TABLES.items():
        if (model.Meta.table_name, model.Meta.region) != (environ[env_var], region):
            model.Meta.table_name = environ[env_var]
            model.Meta.region = region
            model._connection = None  # drop a connection bound to a previous table or region
