"""Campaigns: statuses, the campaign and report models, and the queue messages that send them.
Recipients (of a campaign or an automation email) are in recipients; what only the routes take
and return is in campaign_requests.

A campaign goes draft → (scheduled →) sending → sent, or to cancelled from draft, scheduled or
sending. Only drafts and scheduled campaigns can be edited. While it sends, `progress` counts its
recipients: `total` once the segment is expanded, `queued` = total − sent − failed − suppressed.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, PlainSerializer, computed_field

from marketing.campaigns.models.analytics import CampaignAnalytics
from marketing.campaigns.models.recipients import SuppressionReason
from marketing.models import ApiModel


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"  # by the reputation guard or staff: deliveries are held until resumed
    SENT = "sent"
    CANCELLED = "cancelled"


EDITABLE = {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED}


class CampaignProgress(ApiModel):
    total: int = 0
    sent: int = 0
    failed: int = 0
    suppressed: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def queued(self) -> int:
        return max(0, self.total - self.sent - self.failed - self.suppressed)


Usd = Annotated[Decimal, PlainSerializer(lambda amount: f"{amount:.4f}", return_type=str)]
UsdPerRecipient = Annotated[Decimal, PlainSerializer(lambda amount: f"{amount:.7f}", return_type=str)]


class ActualCost(ApiModel):
    emails_sent: int
    ses_usd: Usd
    platform_usd: Usd = Field(description="SQS, DynamoDB, Lambda and EventBridge for every recipient handled")
    total_usd: Usd


class CampaignCost(ApiModel):
    """AWS cost of the send: estimated before from the members who can be sent to, counted after."""

    recipients: int = Field(
        description="Before the send: the segment's members who can be sent to (subscribed, not opted out of "
        "the template's category, not bounced, complained or on the do-not-email list); after: the recipients"
    )
    excluded: dict[SuppressionReason, int] = Field(
        default_factory=dict, description="Before the send: the members the send would suppress, by reason"
    )
    members_read: int | None = Field(
        default=None,
        description="Before the send: the members read to count the above; fewer than the segment's members "
        "when it is large, and the counts are then in proportion (a random sample: contact ids are random)",
    )
    per_recipient_usd: UsdPerRecipient = Field(
        description="SES plus the platform's share, measured by bench/campaign_send.py"
    )
    estimated_usd: Usd
    actual: ActualCost | None = Field(default=None, description="Once sending has started: from the counters")


class Campaign(ApiModel):
    id: str
    name: str
    template_id: str
    segment_id: str
    subject: str | None
    from_name: str
    from_email: str | None
    reply_to: str | None
    status: CampaignStatus
    scheduled_at: datetime | None
    send_started_at: datetime | None = None
    sent_at: datetime | None = Field(default=None, description="When the last recipient was handled")
    send_error: str | None = Field(default=None, description="Why the last send or scheduled start was refused")
    paused_reason: str | None = Field(default=None, description="Why sending is paused (status paused)")
    guard_overridden: bool = Field(
        default=False,
        description="Resumed after the reputation guard's pause: the guard no longer pauses it (alarms still fire)",
    )
    progress: CampaignProgress
    cost: CampaignCost | None = Field(default=None, description="In the campaign's detail only")
    created_at: datetime
    updated_at: datetime


class CampaignReport(ApiModel):
    campaign_id: str
    name: str
    status: CampaignStatus
    sent_at: datetime | None
    analytics: CampaignAnalytics


# --- queue messages (internal) ---------------------------------------------------------------
RECIPIENTS_PER_BATCH = 50  # a claim or result transaction holds these and the campaign: ≤ 100 items


class SendRequest(ApiModel):
    """On the campaign-sends queue: expand this campaign. `scheduled_at` marks a message fired by
    a schedule, which starts the send if the campaign is still scheduled for that moment."""

    campaign_id: str
    scheduled_at: datetime | None = None


class DeliveryBatch(ApiModel):
    """On the campaign-deliveries queue: send this campaign to these contacts."""

    campaign_id: str
    contact_ids: list[str] = Field(min_length=1, max_length=RECIPIENTS_PER_BATCH)
    attempt: int = Field(default=1, ge=1)
    retry_failed: bool = False
