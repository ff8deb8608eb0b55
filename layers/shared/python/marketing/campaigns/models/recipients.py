"""The recipients of a mailing (a campaign, or one email of an automation): what became of each
send, and why a contact was not sent to. Their own module: the automation workers use them
without loading the campaign models."""

from datetime import datetime
from enum import StrEnum

from marketing.models import ApiModel
from marketing.money import Amount


class RecipientStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"


class SuppressionReason(StrEnum):
    NOT_SUBSCRIBED = "not_subscribed"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    OPTED_OUT = "opted_out"
    DO_NOT_EMAIL = "do_not_email"  # the address is on the do-not-email list (an erased contact's)
    ERASED = "erased"  # the contact was erased after the send began: no address, nothing sent


class CampaignRecipient(ApiModel):
    campaign_id: str
    contact_id: str
    email: str
    status: RecipientStatus
    suppressed_reason: SuppressionReason | None = None
    failure_reason: str | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    opened_at: datetime | None = None
    clicked_at: datetime | None = None
    open_count: int = 0
    click_count: int = 0
    converted_order_id: str | None = None
    revenue: Amount | None = None
