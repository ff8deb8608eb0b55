"""The platform's moving parts besides tables and routes: the event bus and its rules, the queues
and their dead-letter queues, the workers that drain them, the schedules, the imports bucket, and
the automation state machine.

One catalog for two readers, like the route table and the table catalog: CDK deploys exactly this,
and local mode creates the same on the moto server and runs the same workers behind pollers.
Functions find each resource through the environment variable named here. Entries are named
tuples: immutable like frozen dataclasses, without the code generation every function would pay
for at cold start.
"""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

from marketing.errors import ConfigError

SHOP_EVENT_SOURCE = "shop"
SES_EVENT_SOURCE = "aws.ses"
EVENT_BUS_ENV = "EVENT_BUS_NAME"
IMPORTS_BUCKET_ENV = "IMPORTS_BUCKET"
IMPORTS_PREFIX = "imports/"
# Where SES stores the emails it receives for the List-Unsubscribe mailto (email/mailto.py).
INBOUND_MAIL_BUCKET_ENV = "INBOUND_MAIL_BUCKET"
INBOUND_UNSUBSCRIBE_PREFIX = "unsubscribe/"


class Queue(NamedTuple):
    name: str  # short name: the deployed queue is "<prefix>-<name>", its DLQ "<prefix>-<name>-dlq"
    env_var: str  # holds the queue's URL
    # Longer than the worker's timeout, so a message is not redelivered while it is being handled.
    visibility_timeout_seconds: int
    # Deliveries before SQS moves a message to the DLQ: transient failures get retries.
    max_receive_count: int = 3

    @property
    def dlq_env_var(self) -> str:
        return self.env_var.replace("_QUEUE_URL", "_DLQ_URL")


# What a function may ask of the automation state machine (marketing.aws.workflows): start runs,
# stop them (answering the task a stopped run waits on), answer tasks, describe runs.
AUTOMATION_CALLS = frozenset({"start", "stop", "answer", "describe"})


class Uses(NamedTuple):
    """What one function may touch besides its own queue and its dead-letter queue. CDK grants it
    exactly this and nothing else (infra/constructs/grants.py); a unit test derives the same from
    the function's code, so the two cannot drift (tests/unit/functions/test_least_privilege.py)."""

    reads: frozenset[str] = frozenset()  # tables it only reads, by environment variable (catalog/tables.py)
    writes: frozenset[str] = frozenset()  # tables it reads and writes
    sends_to: tuple[Queue, ...] = ()
    automation_calls: frozenset[str] = frozenset()  # of AUTOMATION_CALLS
    sends_email: bool = False
    reads_send_quota: bool = False  # paces its sends to the account's SES send rate
    checks_senders: bool = False  # asks SES whether a From address is a verified identity
    signs_links: bool = False  # tracking, unsubscribe and preference links: reads the token key
    hashes_addresses: bool = False  # the do-not-email list's keyed hashes: reads the token key too
    derives_gift_card_codes: bool = False  # reads the gift-card key
    reads_imports: bool = False
    uploads_imports: bool = False  # signs upload URLs, which act with its rights
    reads_inbound_mail: bool = False  # the emails SES stored under unsubscribe/ in the inbound-mail bucket
    schedules_campaigns: bool = False

    @property
    def tables(self) -> frozenset[str]:
        return self.reads | self.writes


class Worker(NamedTuple):
    name: str
    handler: str
    queue: Queue
    batch_size: int
    timeout_seconds: int
    uses: Uses = Uses()
    # Invocations at once (the event source's maximum concurrency); email senders pace themselves
    # to an equal share of the account's SES send rate.
    max_concurrency: int | None = None
    # How long the event source may wait to fill a batch: Lambda takes batches of more than SQS's 10
    # messages only with a window. Locally a batch is what the queue holds now, up to its size.
    batching_window_seconds: int = 0

    @property
    def sends_email(self) -> bool:
        """Whether it shares the account's SES send rate (campaigns/services/delivery.py)."""
        return self.uses.sends_email


class EventRule(NamedTuple):
    """Events of these detail types from `source` go to `queue`. Shop events arrive on the shop's
    bus; SES publishes its events to the account's default bus (the only one it supports)."""

    name: str
    detail_types: tuple[str, ...]
    queue: Queue
    source: str = SHOP_EVENT_SOURCE

    @property
    def on_default_bus(self) -> bool:
        return self.source != SHOP_EVENT_SOURCE


class Schedule(NamedTuple):
    name: str
    handler: str
    # EventBridge's six-field cron (minutes hours day-of-month month day-of-week year), in UTC.
    cron: str
    timeout_seconds: int
    uses: Uses = Uses()


class StateMachine(NamedTuple):
    """A Step Functions state machine whose definition is a file in the repository: CDK deploys it
    and local mode creates it on the moto server, with `${<placeholder>}` replaced by the URL of
    the queue it hands its work to (moto runs no Lambda code from a state machine)."""

    name: str
    definition_path: str  # relative to the repository's root
    env_var: str  # holds the state machine's ARN
    hands_work_to: Queue
    queue_url_placeholder: str


SHOP_EVENTS = Queue("shop-events", "SHOP_EVENTS_QUEUE_URL", visibility_timeout_seconds=180)
SEGMENT_REFRESH = Queue("segment-refresh", "SEGMENT_REFRESH_QUEUE_URL", visibility_timeout_seconds=5400)
CONTACT_IMPORTS = Queue("contact-imports", "CONTACT_IMPORTS_QUEUE_URL", visibility_timeout_seconds=5400)
# A send: expand the campaign's segment into delivery batches (also what a schedule fires).
CAMPAIGN_SENDS = Queue("campaign-sends", "CAMPAIGN_SENDS_QUEUE_URL", visibility_timeout_seconds=5400)
# Batches of recipients to render and send. Retries of single recipients are new messages with a
# delay, so the queue's own receive count only catches workers that die.
CAMPAIGN_DELIVERIES = Queue(
    "campaign-deliveries", "CAMPAIGN_DELIVERIES_QUEUE_URL", visibility_timeout_seconds=1800, max_receive_count=5
)
# Six times its worker's timeout, plus the batching window (Lambda's advice for SQS sources).
SES_EVENTS = Queue("ses-events", "SES_EVENTS_QUEUE_URL", visibility_timeout_seconds=190)
# First opens from the tracking pixel, recorded in batches (services/opens.py); the same timeout
# as the SES events' queue, for the same reason.
OPENS = Queue("opens", "OPENS_QUEUE_URL", visibility_timeout_seconds=190)
# One automation email to send (from the state machine, with its task token), or the held emails
# of an automation to hand back on activation.
AUTOMATION_SENDS = Queue(
    "automation-sends", "AUTOMATION_SENDS_QUEUE_URL", visibility_timeout_seconds=360, max_receive_count=5
)
# Emails SES received for the List-Unsubscribe mailto and stored (the bucket's notification).
INBOUND_UNSUBSCRIBES = Queue("inbound-unsubscribes", "INBOUND_UNSUBSCRIBES_QUEUE_URL", visibility_timeout_seconds=180)

QUEUES: tuple[Queue, ...] = (
    SHOP_EVENTS,
    SEGMENT_REFRESH,
    CONTACT_IMPORTS,
    CAMPAIGN_SENDS,
    CAMPAIGN_DELIVERIES,
    SES_EVENTS,
    OPENS,
    AUTOMATION_SENDS,
    INBOUND_UNSUBSCRIBES,
)

AUTOMATION_STATE_MACHINE = StateMachine(
    "automation",
    "infra/statemachines/automation.asl.json",
    "AUTOMATION_STATE_MACHINE_ARN",
    AUTOMATION_SENDS,
    "AutomationSendsQueueUrl",
)

# What SES publishes through the configuration set (EventBridge detail types, source aws.ses).
SES_EVENT_TYPES = {
    "SEND": "Email Sent",
    "DELIVERY": "Email Delivered",
    "BOUNCE": "Email Bounced",
    "COMPLAINT": "Email Complaint Received",
    "REJECT": "Email Rejected",
    "OPEN": "Email Opened",
    "CLICK": "Email Clicked",
}

EVENT_RULES: tuple[EventRule, ...] = (
    EventRule(
        "audience",
        ("contact.upserted", "user.registered", "order.paid", "order.refunded", "cart.updated", "cart.abandoned"),
        SHOP_EVENTS,
    ),
    EventRule("ses-events", tuple(SES_EVENT_TYPES.values()), SES_EVENTS, source=SES_EVENT_SOURCE),
)

WORKERS: tuple[Worker, ...] = (
    Worker(
        "shop-events",
        "workers.shop_events.lambda_handler",
        SHOP_EVENTS,
        batch_size=10,
        timeout_seconds=30,
        uses=Uses(
            reads=frozenset({"PROGRAMS_TABLE"}),
            writes=frozenset(
                {
                    "ACTIVITY_TABLE",
                    "CONTACTS_TABLE",
                    "CONTACT_EMAILS_TABLE",
                    "SUBSCRIBERS_TABLE",
                    "ORDERS_TABLE",
                    "CARTS_TABLE",
                    "AUTOMATIONS_TABLE",
                    "AUTOMATION_EMAIL_STATS_TABLE",
                    "AUTOMATION_EXECUTIONS_TABLE",
                    "CAMPAIGNS_TABLE",  # conversions
                    "CAMPAIGN_RECIPIENTS_TABLE",
                    "LOYALTY_ACCOUNTS_TABLE",
                    "LOYALTY_TRANSACTIONS_TABLE",
                    "REFERRALS_TABLE",
                    "GIFT_CARDS_TABLE",
                    "GIFT_CARD_TRANSACTIONS_TABLE",
                    "DO_NOT_EMAIL_TABLE",  # an opt-in's check re-keys an entry after a rotation
                    "CONSENT_LOG_TABLE",
                    "SIGNUPS_TABLE",  # a registration's opt-in waiting for its confirmation
                    "FAILED_ATTEMPTS_TABLE",  # confirmation emails per address and day
                }
            ),
            # Starts welcome and abandoned-cart runs, stops them on order.paid.
            automation_calls=frozenset({"start", "stop", "answer"}),
            sends_email=True,  # gift cards an order bought; a registration's double opt-in email
            signs_links=True,  # the double opt-in email's confirmation link
            derives_gift_card_codes=True,
            hashes_addresses=True,
        ),
    ),
    Worker(
        "segment-refresh",
        "workers.segment_refresh.lambda_handler",
        SEGMENT_REFRESH,
        batch_size=1,
        timeout_seconds=900,
        uses=Uses(
            reads=frozenset({"CONTACTS_TABLE"}),
            writes=frozenset({"SEGMENTS_TABLE", "SEGMENT_MEMBERS_TABLE"}),
            # A refresh hands out the parts of its scan; a part short of time, the rest of its own.
            sends_to=(SEGMENT_REFRESH,),
        ),
    ),
    Worker(
        "contact-import",
        "workers.contact_import.lambda_handler",
        CONTACT_IMPORTS,
        batch_size=1,
        timeout_seconds=900,
        uses=Uses(
            writes=frozenset(
                {
                    "ACTIVITY_TABLE",
                    "CONTACT_IMPORTS_TABLE",
                    "CONTACTS_TABLE",
                    "CONTACT_EMAILS_TABLE",
                    "SUBSCRIBERS_TABLE",
                    "CONSENT_LOG_TABLE",
                    "DO_NOT_EMAIL_TABLE",  # a row's check re-keys an entry after a rotation
                    "IMPORT_CONFIRMATIONS_TABLE",  # rows waiting for their owner's confirmation
                    "SIGNUPS_TABLE",  # their confirmation emails' signups
                    "FAILED_ATTEMPTS_TABLE",  # confirmation emails per address and day
                }
            ),
            sends_to=(CONTACT_IMPORTS,),  # the next chunk, the next round of confirmation emails
            reads_imports=True,
            hashes_addresses=True,
            sends_email=True,  # re-permission (double opt-in) emails
            signs_links=True,  # their confirmation links
        ),
    ),
    Worker(
        "campaign-send",
        "workers.campaign_send.lambda_handler",
        CAMPAIGN_SENDS,
        batch_size=1,
        timeout_seconds=900,
        uses=Uses(
            reads=frozenset({"SEGMENTS_TABLE", "SEGMENT_MEMBERS_TABLE", "TEMPLATES_TABLE"}),
            writes=frozenset({"CAMPAIGNS_TABLE", "CAMPAIGN_HELD_BATCHES_TABLE"}),  # hands back held batches on resume
            sends_to=(CAMPAIGN_SENDS, CAMPAIGN_DELIVERIES),
            checks_senders=True,  # a scheduled start checks the campaign as the API's send does
        ),
    ),
    Worker(
        "campaign-delivery",
        "workers.campaign_delivery.lambda_handler",
        CAMPAIGN_DELIVERIES,
        # One batch of recipients per invocation: a campaign's batches then go out side by side, up to
        # max_concurrency at once, each paced by the account's shared rate (services/send_rate.py),
        # instead of ten at a time one after another in one function, idle between batches.
        batch_size=1,
        timeout_seconds=300,
        uses=Uses(
            reads=frozenset({"TEMPLATES_TABLE", "CONTACTS_TABLE", "SUBSCRIBERS_TABLE", "DO_NOT_EMAIL_TABLE"}),
            # The delivery code is shared with automations: its counters may name an automation email.
            writes=frozenset(
                {
                    "ACTIVITY_TABLE",
                    "CAMPAIGNS_TABLE",
                    "CAMPAIGN_RECIPIENTS_TABLE",
                    "CAMPAIGN_HELD_BATCHES_TABLE",  # a paused campaign's batches, until it is resumed
                    "LINKS_TABLE",
                    "AUTOMATION_EMAIL_STATS_TABLE",
                    "SEND_WINDOWS_TABLE",  # the account's send rate, shared by every sender
                }
            ),
            sends_to=(CAMPAIGN_DELIVERIES,),
            sends_email=True,
            reads_send_quota=True,
            signs_links=True,
            hashes_addresses=True,  # the do-not-email list, a last line before a send
        ),
        max_concurrency=4,
    ),
    Worker(
        "ses-events",
        "workers.ses_events.lambda_handler",
        SES_EVENTS,
        # A batch's deliveries of one mailing are one write and its Send events one read
        # (services/ses_events.py): the more a batch holds, the less each event costs.
        batch_size=100,
        batching_window_seconds=10,
        timeout_seconds=30,
        uses=Uses(
            reads=frozenset({"CONTACT_EMAILS_TABLE"}),
            writes=frozenset(
                {
                    "ACTIVITY_TABLE",
                    "CONTACTS_TABLE",  # suppression
                    "SUBSCRIBERS_TABLE",
                    "CONSENT_LOG_TABLE",
                    "CAMPAIGNS_TABLE",  # analytics
                    "CAMPAIGN_RECIPIENTS_TABLE",
                    "AUTOMATION_EMAIL_STATS_TABLE",
                    "DO_NOT_EMAIL_TABLE",  # a bounce or complaint of an address no contact holds
                }
            ),
            hashes_addresses=True,
        ),
    ),
    Worker(
        "opens",
        "workers.opens.lambda_handler",
        OPENS,
        # A batch's first opens of one mailing are one write (services/opens.py), as deliveries are.
        batch_size=100,
        batching_window_seconds=10,
        timeout_seconds=30,
        uses=Uses(
            writes=frozenset(
                {"ACTIVITY_TABLE", "CAMPAIGNS_TABLE", "CAMPAIGN_RECIPIENTS_TABLE", "AUTOMATION_EMAIL_STATS_TABLE"}
            ),
        ),
    ),
    Worker(
        "automation-delivery",
        "workers.automation_delivery.lambda_handler",
        AUTOMATION_SENDS,
        batch_size=10,
        timeout_seconds=60,
        uses=Uses(
            reads=frozenset({"TEMPLATES_TABLE", "CONTACTS_TABLE", "SUBSCRIBERS_TABLE", "DO_NOT_EMAIL_TABLE"}),
            # The delivery code is shared with campaigns: its counters may name a campaign.
            writes=frozenset(
                {
                    "ACTIVITY_TABLE",
                    "AUTOMATIONS_TABLE",
                    "AUTOMATION_EMAIL_STATS_TABLE",
                    "AUTOMATION_EXECUTIONS_TABLE",
                    "CAMPAIGNS_TABLE",
                    "CAMPAIGN_RECIPIENTS_TABLE",
                    "LINKS_TABLE",
                    "SEND_WINDOWS_TABLE",  # the account's send rate, shared by every sender
                }
            ),
            sends_to=(AUTOMATION_SENDS,),
            automation_calls=frozenset({"stop", "answer"}),
            sends_email=True,
            reads_send_quota=True,
            signs_links=True,
            hashes_addresses=True,  # the do-not-email list, a last line before a send
        ),
        max_concurrency=2,
    ),
    Worker(
        "inbound-unsubscribes",
        "workers.inbound_unsubscribes.lambda_handler",
        INBOUND_UNSUBSCRIBES,
        batch_size=10,
        timeout_seconds=30,
        uses=Uses(
            writes=frozenset(
                {
                    "ACTIVITY_TABLE",
                    "SUBSCRIBERS_TABLE",
                    "CONSENT_LOG_TABLE",
                    "CONTACTS_TABLE",  # mirrors the subscription's status
                    "CAMPAIGNS_TABLE",  # the mailing's unsubscribe count
                    "CAMPAIGN_RECIPIENTS_TABLE",
                    "AUTOMATION_EMAIL_STATS_TABLE",
                }
            ),
            signs_links=True,  # verifies the address's token: reads the token key
            reads_inbound_mail=True,
        ),
    ),
)

SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "segment-refresh",
        "schedules.segment_refresh.lambda_handler",
        cron="0 2 * * ? *",
        timeout_seconds=60,
        uses=Uses(writes=frozenset({"SEGMENTS_TABLE"}), sends_to=(SEGMENT_REFRESH,)),
    ),
    Schedule(
        "abandoned-carts",
        "schedules.abandoned_carts.lambda_handler",
        cron="0/15 * * * ? *",
        timeout_seconds=300,
        uses=Uses(
            reads=frozenset({"CONTACTS_TABLE", "SUBSCRIBERS_TABLE"}),
            writes=frozenset({"CARTS_TABLE", "AUTOMATIONS_TABLE", "AUTOMATION_EXECUTIONS_TABLE"}),
            automation_calls=frozenset({"start"}),
        ),
    ),
    Schedule(
        "automation-sweep",
        "schedules.automation_sweep.lambda_handler",
        cron="5/15 * * * ? *",
        timeout_seconds=300,
        uses=Uses(
            writes=frozenset({"AUTOMATIONS_TABLE", "AUTOMATION_EXECUTIONS_TABLE"}),
            sends_to=(AUTOMATION_SENDS,),
            automation_calls=AUTOMATION_CALLS,
        ),
    ),
    Schedule(
        "referral-rewards",
        "schedules.referral_rewards.lambda_handler",
        cron="0 1 * * ? *",
        timeout_seconds=300,
        uses=Uses(
            reads=frozenset({"PROGRAMS_TABLE"}),
            writes=frozenset({"REFERRALS_TABLE", "LOYALTY_ACCOUNTS_TABLE", "LOYALTY_TRANSACTIONS_TABLE"}),
        ),
    ),
    Schedule(
        "points-expiry",
        "schedules.points_expiry.lambda_handler",
        cron="0 3 * * ? *",
        timeout_seconds=300,
        uses=Uses(
            reads=frozenset({"PROGRAMS_TABLE"}),
            writes=frozenset({"LOYALTY_ACCOUNTS_TABLE", "LOYALTY_TRANSACTIONS_TABLE"}),
        ),
    ),
    Schedule(
        "gift-card-expiry",
        "schedules.gift_card_expiry.lambda_handler",
        cron="0 4 * * ? *",
        timeout_seconds=300,
        uses=Uses(writes=frozenset({"GIFT_CARDS_TABLE"})),
    ),
)


def shop_event_entries(events: list[dict[str, Any]], bus: str) -> list[dict[str, Any]]:
    """PutEvents entries for shop events given as `{"detail-type": ..., "detail": {...}}` (source
    `shop` unless an event names another): what the CLI and local mode's /local/events publish."""
    return [
        {
            "Source": event.get("source", SHOP_EVENT_SOURCE),
            "DetailType": event["detail-type"],
            "Detail": json.dumps(event.get("detail", {})),
            "EventBusName": bus,
        }
        for event in events
    ]


def resource(env_var: str) -> str:
    """The name or URL a function was given for one resource; a missing one is a config error."""
    try:
        return os.environ[env_var]
    except KeyError:
        raise ConfigError(f"{env_var} is not set: the function was deployed without this resource") from None


def queue_url(queue: Queue) -> str:
    return resource(queue.env_var)


def dead_letter_url(queue: Queue) -> str:
    return resource(queue.dlq_env_var)
