"""The small HTML pages behind the links in an email (unsubscribe, preference centre, the double
opt-in's confirmation)."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response, content_types

from marketing.audience.models.subscribers import Preferences

NO_STORE = {"Cache-Control": "no-store, max-age=0"}  # a page about one person's subscription: never cached


def response(body: str, status: int = 200) -> Response:
    return Response(status, content_types.TEXT_HTML, body, headers=NO_STORE)


def same_page(token: str) -> str:
    """A form action back to the page it is on (relative: right behind any custom domain)."""
    return f"?token={quote(token)}"


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "button{font-size:1rem;padding:.5rem 1rem}label{display:block;margin:.5rem 0}"
)


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>{escape(title)}</title><style>{_STYLE}</style></head>'
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def invalid_link() -> str:
    return page("This link is not valid", "<p>It may have been copied incompletely. Use the link in the email.</p>")


def no_subscription() -> str:
    return page("No subscription", "<p>This address gets no marketing email from us.</p>")


def confirm_unsubscribe(email: str, action: str) -> str:
    return page(
        "Unsubscribe",
        f"<p>Stop marketing email to <strong>{escape(email)}</strong>?</p>"
        f'<form method="post" action="{escape(action)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<input type="hidden" name="{VIA_FIELD}" value="{VIA_PAGE}">'
        "<button type=submit>Unsubscribe</button></form>",
    )


# Marks the unsubscribe page's own form, so the consent log tells it from a mail client's one click.
VIA_FIELD = "via"
VIA_PAGE = "page"


def confirm_signup(email: str, asked_for: str, action: str) -> str:
    """The confirmation link's page: its script submits the form at once (a person's click in the
    email is enough), a scanner that only fetches the page confirms nothing."""
    return page(
        "Confirm your subscription",
        f"<p>Subscribe <strong>{escape(email)}</strong> to our {escape(asked_for)}?</p>"
        f'<form id="confirm" method="post" action="{escape(action)}">'
        "<button type=submit>Yes, subscribe me</button></form>"
        '<script>document.getElementById("confirm").submit()</script>',
    )


def subscription_confirmed(email: str) -> str:
    return page(
        "You are subscribed",
        f"<p>Thank you: <strong>{escape(email)}</strong> is subscribed. Every email has a link to unsubscribe.</p>",
    )


def confirmation_expired() -> str:
    return page(
        "This link has expired",
        "<p>Confirmation links work for 7 days. Sign up again on our website to get a new one.</p>",
    )


def unsubscribed(email: str) -> str:
    return page(
        "You are unsubscribed", f"<p><strong>{escape(email)}</strong> will get no more marketing email from us.</p>"
    )


TRACKING_FIELD = "tracking"
TRACKING_ASKED = "tracking_asked"  # the form showed the tracking box: its absence then withdraws consent


def _tracking_box(consent: bool | None) -> str:
    checked = " checked" if consent else ""
    return (
        f'<input type="hidden" name="{TRACKING_ASKED}" value="1">'
        f'<label><input type="checkbox" name="{TRACKING_FIELD}" value="on"{checked}> '
        "Let us see when you open our emails and which links you click (without it we count them "
        "only in totals, not as yours)</label>"
    )


def preference_centre(
    email: str,
    subscribed: bool,
    preferences: Preferences,
    action: str,
    saved: bool,
    *,
    ask_tracking: bool = False,
    tracking_consent: bool | None = None,
) -> str:
    """`ask_tracking`: tracking consent is required, so the page asks for it."""

    def box(name: str, label: str) -> str:
        checked = " checked" if getattr(preferences, name) else ""
        return f'<label><input type="checkbox" name="{name}" value="on"{checked}> {escape(label)}</label>'

    status = (
        ""
        if subscribed
        else "<p>You are unsubscribed from marketing email; these choices apply if you subscribe again.</p>"
    )
    notice = "<p><strong>Saved.</strong></p>" if saved else ""
    return page(
        "Email preferences",
        f"{notice}<p>Which emails should <strong>{escape(email)}</strong> get?</p>{status}"
        f'<form method="post" action="{escape(action)}">'
        + box("promotional", "Offers and promotions")
        + box("newsletter", "Newsletter")
        + "<label><input type=checkbox checked disabled> Order and account emails (always sent)</label>"
        + (_tracking_box(tracking_consent) if ask_tracking else "")
        + "<button type=submit>Save</button></form>",
    )
