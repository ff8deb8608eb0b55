"""Everything the platform holds about one contact, gathered for a data-subject access request."""

from __future__ import annotations

from pydantic import Field

from marketing.models.base import ApiModel
from marketing.models.campaigns import CampaignRecipient
from marketing.models.contacts import Contact, ContactOrder
from marketing.models.subscribers import Subscriber


class ContactExport(ApiModel):
    """Everything the platform holds about one contact (data-subject access request)."""

    contact: Contact
    subscriber: Subscriber | None = None
    orders: list[ContactOrder] = Field(default_factory=list)
    segment_ids: list[str] = Field(default_factory=list, description="Segments the contact is a member of")
    campaign_emails: list[CampaignRecipient] = Field(
        default_factory=list, description="Every campaign email sent (or withheld) to the contact, with what it did"
    )
