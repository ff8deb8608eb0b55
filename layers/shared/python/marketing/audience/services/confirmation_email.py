"""The double opt-in email: transactional (the person asked for it), from the transactional sender,
with nothing but the confirmation link. No tracking pixel, no tracked links, no advertising and no
unsubscribe (there is no subscription yet): German courts count a confirmation email that promotes
anything as advertising sent without consent."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid

from marketing.audience.models.signups import CONFIRMATION_VALIDITY, Signup, asked_for
from marketing.aws.ses import send_raw
from marketing.config import EmailSettings, load_settings
from marketing.email.links import email_links

EMAIL_TYPE_TAG = "email_type=signup_confirmation"  # SES events: no campaign, no contact


def compose(signup: Signup, confirm_url: str, settings: EmailSettings) -> bytes:
    shop = settings.shop_name
    days = CONFIRMATION_VALIDITY.days
    # No name from the form: anyone may fill it in, and an email the shop signs would carry their words.
    paragraphs = ["Hello,", f"please confirm that {signup.email} may receive {shop}'s {asked_for(signup.preferences)}:"]
    after = [
        f"The link works for {days} days. If you did not ask for this, ignore this email: you will not be "
        "subscribed, and we will not write again.",
        shop + (f", {settings.postal_address}" if settings.postal_address else ""),
    ]
    text = "\n\n".join([*paragraphs, confirm_url, *after]) + "\n"
    button = (
        f'<p><a href="{html.escape(confirm_url)}" style="display:inline-block;padding:12px 20px;background:#1d4ed8;'
        'color:#fff;text-decoration:none;border-radius:6px">Yes, subscribe me</a></p>'
    )
    body = "".join(f"<p>{html.escape(line)}</p>" for line in paragraphs) + button
    body += "".join(f'<p style="color:#555;font-size:13px">{html.escape(line)}</p>' for line in after)
    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = f"Please confirm your subscription to {shop}"
    sender = settings.transactional_sender
    mail["From"] = formataddr((shop, sender))
    mail["Reply-To"] = sender
    mail["To"] = signup.email
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-SES-MESSAGE-TAGS"] = EMAIL_TYPE_TAG
    mail.set_content(text)
    mail.add_alternative(f"<html><body>{body}</body></html>", subtype="html")
    return mail.as_bytes()


def send(signup: Signup) -> str:
    """Sends the signup's confirmation email; returns SES's message id. Raises what SES raises."""
    settings = load_settings(EmailSettings)
    mime = compose(signup, email_links().confirmation_url(signup.id), settings)
    return send_raw(settings.transactional_sender, signup.email, mime, settings.configuration_set)
