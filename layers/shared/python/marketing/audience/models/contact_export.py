"""Everything the platform holds about one contact, gathered for a data-subject access request."""

from pydantic import Field

from marketing.audience.models.consents import ConsentEntry
from marketing.audience.models.contacts import Contact
from marketing.audience.models.do_not_email import DoNotEmailEntry
from marketing.audience.models.orders import ContactOrder
from marketing.audience.models.subscribers import Subscriber
from marketing.automations.models.automations import AutomationExecution
from marketing.automations.models.carts import Cart
from marketing.campaigns.models.recipients import CampaignRecipient
from marketing.growth.models.gift_cards import GiftCard
from marketing.growth.models.loyalty import LoyaltyAccount, LoyaltyTransaction
from marketing.growth.models.referrals import Referral
from marketing.models import ApiModel


class ContactGiftCard(GiftCard):
    """A gift card addressed to the contact, with the greeting it carries as stored."""

    recipient_name: str | None = None
    sender_name: str | None = None
    message: str | None = Field(default=None, description="The buyer's message to the recipient")


class ContactExport(ApiModel):
    """Everything the platform holds about one contact (data-subject access request)."""

    contact: Contact
    subscriber: Subscriber | None = None
    consents: list[ConsentEntry] = Field(
        default_factory=list,
        description="The consent log, oldest first: how and when the contact subscribed, "
        "confirmed, unsubscribed or changed preferences",
    )
    do_not_email: DoNotEmailEntry | None = Field(
        default=None,
        description="The address's entry on the do-not-email list, if it is on it (kept as a keyed hash of the "
        "address, with the reason and the day, when a contact is erased)",
    )
    orders: list[ContactOrder] = Field(default_factory=list)
    segment_ids: list[str] = Field(default_factory=list, description="Segments the contact is a member of")
    campaign_emails: list[CampaignRecipient] = Field(
        default_factory=list,
        description="Every campaign and automation email sent (or withheld) to the contact, with what it did",
    )
    automation_executions: list[AutomationExecution] = Field(default_factory=list)
    carts: list[Cart] = Field(default_factory=list)
    loyalty_account: LoyaltyAccount | None = Field(default=None, description="For a contact with a user id")
    loyalty_transactions: list[LoyaltyTransaction] = Field(default_factory=list)
    referrals: list[Referral] = Field(
        default_factory=list, description="Made with the contact's code, or applied by it"
    )
    gift_cards: list[ContactGiftCard] = Field(
        default_factory=list,
        description="Gift cards addressed to the contact's email, oldest first, with their greeting as stored "
        "(a purchased card with no recipient of its own is addressed to its buyer). Erasure keeps a card's "
        "money and code but removes the address, the names and the message",
    )
