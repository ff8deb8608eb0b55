"""Every table of the platform, and binding PynamoDB models to them.

A model's table name is not known until a function starts (CDK names the tables and passes the
names in environment variables), so `bind_tables` points each model at its table, in the
function's region, once at cold start. CDK and local mode read TABLES to create the same tables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pynamodb.models import Model

from marketing.config import BaseSettings, load_settings
from marketing.errors import ConfigError
from marketing.store.attempts import FailedAttemptRecord
from marketing.store.automations import AutomationEmailStatsRecord, AutomationRecord
from marketing.store.campaigns import CampaignRecord
from marketing.store.carts import CartRecord
from marketing.store.contacts import ContactEmailRecord, ContactRecord
from marketing.store.executions import ExecutionRecord
from marketing.store.gift_cards import GiftCardEntryRecord, GiftCardRecord
from marketing.store.imports import ImportRecord
from marketing.store.loyalty import LoyaltyAccountRecord, LoyaltyEntryRecord
from marketing.store.orders import OrderRecord
from marketing.store.programs import ProgramRecord
from marketing.store.recipients import RecipientRecord
from marketing.store.referrals import ReferralCodeRecord, ReferralRecord
from marketing.store.segments import SegmentMemberRecord, SegmentRecord
from marketing.store.subscribers import SubscriberRecord
from marketing.store.templates import TemplateRecord

# Model -> the environment variable that holds its table's name.
TABLES: dict[type[Model], str] = {
    TemplateRecord: "TEMPLATES_TABLE",
    ContactRecord: "CONTACTS_TABLE",
    ContactEmailRecord: "CONTACT_EMAILS_TABLE",
    SubscriberRecord: "SUBSCRIBERS_TABLE",
    OrderRecord: "ORDERS_TABLE",
    SegmentRecord: "SEGMENTS_TABLE",
    SegmentMemberRecord: "SEGMENT_MEMBERS_TABLE",
    ImportRecord: "CONTACT_IMPORTS_TABLE",
    CampaignRecord: "CAMPAIGNS_TABLE",
    RecipientRecord: "CAMPAIGN_RECIPIENTS_TABLE",
    AutomationRecord: "AUTOMATIONS_TABLE",
    AutomationEmailStatsRecord: "AUTOMATION_EMAIL_STATS_TABLE",
    ExecutionRecord: "AUTOMATION_EXECUTIONS_TABLE",
    CartRecord: "CARTS_TABLE",
    ProgramRecord: "PROGRAMS_TABLE",
    LoyaltyAccountRecord: "LOYALTY_ACCOUNTS_TABLE",
    LoyaltyEntryRecord: "LOYALTY_TRANSACTIONS_TABLE",
    GiftCardRecord: "GIFT_CARDS_TABLE",
    GiftCardEntryRecord: "GIFT_CARD_TRANSACTIONS_TABLE",
    ReferralCodeRecord: "REFERRAL_CODES_TABLE",
    ReferralRecord: "REFERRALS_TABLE",
    FailedAttemptRecord: "FAILED_ATTEMPTS_TABLE",
}


def bind_tables_at_cold_start() -> None:
    """What a worker or schedule function does once: bind every model in its region, failing the
    cold start if its environment lacks the region or a table name."""
    bind_tables(os.environ, load_settings(BaseSettings).region)


def bind_tables(environ: Mapping[str, str], region: str) -> None:
    """Points every model at its table; a missing table name fails the cold start, naming it."""
    missing = [env_var for env_var in TABLES.values() if not environ.get(env_var)]
    if missing:
        raise ConfigError(f"table names missing from the environment: {', '.join(missing)}")
    for model, env_var in TABLES.items():
        if (model.Meta.table_name, getattr(model.Meta, "region", None)) != (environ[env_var], region):
            model.Meta.table_name = environ[env_var]
            model.Meta.region = region
            model._connection = None  # drop a connection bound to a previous table or region
