"""What the campaign and analytics routes take and return besides a campaign and its recipients:
only the API loads these, not the workers that send and count (decision 48)."""

from datetime import datetime

from pydantic import Field

from marketing.audience.models.contacts import DisplayName, Email
from marketing.campaigns.models.analytics import CampaignAnalytics
from marketing.campaigns.models.campaigns import Campaign, CampaignReport
from marketing.campaigns.models.recipients import CampaignRecipient
from marketing.models import ApiInput, ApiModel, NextCursor

MAX_TEST_ADDRESSES = 10


class CampaignCreate(ApiInput):
    name: str = Field(min_length=1, max_length=200)
    template_id: str = Field(min_length=1)
    segment_id: str = Field(min_length=1)
    subject: str | None = Field(
        default=None, min_length=1, max_length=998, description="Overrides the template's subject; merge tags allowed."
    )
    from_name: DisplayName = Field(description="Display name of the sender")
    from_email: Email | None = Field(
        default=None, description="Sender address on a verified SES identity; default: the platform's sender."
    )
    reply_to: Email | None = None


class CampaignPatch(ApiInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    template_id: str | None = Field(default=None, min_length=1)
    segment_id: str | None = Field(default=None, min_length=1)
    subject: str | None = Field(default=None, min_length=1, max_length=998)
    from_name: DisplayName | None = None
    from_email: Email | None = None
    reply_to: Email | None = None


class CampaignPage(ApiModel):
    items: list[Campaign]
    next: NextCursor = None


class ScheduleRequest(ApiInput):
    scheduled_at: datetime = Field(description="ISO 8601 with a time zone; must be in the future")


class TestSendRequest(ApiInput):
    emails: list[Email] = Field(min_length=1, max_length=MAX_TEST_ADDRESSES)


class TestSend(ApiModel):
    email: str
    message_id: str


class TestSendResult(ApiModel):
    sent: list[TestSend]


class RetryResult(ApiModel):
    requeued: int = Field(description="Failed recipients handed to the delivery queue again")


class RecipientPage(ApiModel):
    items: list[CampaignRecipient]
    next: NextCursor = None


class CampaignReportPage(ApiModel):
    items: list[CampaignReport]
    next: NextCursor = None


class AnalyticsOverview(ApiModel):
    campaigns_sent: int
    totals: CampaignAnalytics
