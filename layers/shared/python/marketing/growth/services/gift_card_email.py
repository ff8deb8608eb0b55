"""The email that delivers a purchased gift card: transactional (it is what the buyer paid for),
so marketing opt-outs do not stop it, but a bounced or complained address is never mailed. It comes
from the transactional sender (TRANSACTIONAL_SENDER_ADDRESS, default the sender's address), also
its Reply-To, so replies and filters keep it apart from marketing (decision 81)."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid

from marketing.aws.ses import send_raw
from marketing.config import EmailSettings, load_settings
from marketing.growth.models.gift_cards import GiftCard


def compose(
    card: GiftCard,
    code: str,
    recipient_name: str | None,
    sender_name: str | None,
    message: str | None,
    settings: EmailSettings,
) -> bytes:
    amount = f"{card.balance:.2f} {card.currency}"
    greeting = f"Hi {recipient_name}," if recipient_name else "Hello,"
    giver = f"{sender_name} sent you" if sender_name else "You have received"
    expiry = f"It can be used until {card.expires_at:%d %B %Y}." if card.expires_at else "It does not expire."
    lines = [greeting, "", f"{giver} a {settings.shop_name} gift card worth {amount}.", ""]
    if message:
        lines += [f"“{message}”", ""]
    lines += [f"Your gift card code: {code}", "", "Enter it at checkout to pay with it. " + expiry]
    text = "\n".join(lines)
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for line in lines if line and line != f"Your gift card code: {code}"
    )
    body = (
        f'<html><body>{paragraphs}<p style="font-size:22px;font-family:monospace;letter-spacing:2px">'
        f"<strong>{html.escape(code)}</strong></p></body></html>"
    )
    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = f"Your {amount} gift card from {settings.shop_name}"
    sender = settings.transactional_sender
    mail["From"] = formataddr((settings.shop_name, sender))
    mail["Reply-To"] = sender
    mail["To"] = card.recipient_email
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-SES-MESSAGE-TAGS"] = f"gift_card={card.id}"
    mail.set_content(text)
    mail.add_alternative(body, subtype="html")
    return mail.as_bytes()


def send(card: GiftCard, code: str, recipient_name: str | None, sender_name: str | None, message: str | None) -> str:
    """Sends the card's email; returns SES's message id. Raises what SES raises."""
    settings = load_settings(EmailSettings)
    mime = compose(card, code, recipient_name, sender_name, message, settings)
    assert card.recipient_email is not None
    return send_raw(settings.transactional_sender, card.recipient_email, mime, settings.configuration_set)
