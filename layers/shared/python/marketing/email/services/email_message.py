"""A marketing email, as the MIME that goes to SES: the rendered template with every link written in
the template click-tracked, an open pixel, a footer with the unsubscribe and preference-centre
links, the shop's postal address and why the recipient gets the email, a text and an HTML part,
the List-Unsubscribe headers of RFC 2369 and RFC 8058, `List-Id` (RFC 2919) and `Feedback-ID`
(Gmail's feedback loop).

Only links written in the template's source are tracked, never a URL that a merge field put into
the email (a contact's name, a cart's URL): those stay as they are. A link written in the source
is a literal web URL with no template syntax in it; it is registered (store/links.py) before an
email uses it, and its click token names it by id, so the click route redirects to nothing else."""

from __future__ import annotations

import html as html_escaping
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from email.utils import format_datetime, formataddr, make_msgid
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from marketing import clock
from marketing.audience.models.subscribers import Subscriber
from marketing.campaigns.models.mailings import MailingKind, MailingRef
from marketing.email.links import EmailLinks, link_id
from marketing.email.mailto import NO_MAILTO
from marketing.email.mime import alternative
from marketing.email.models.templates import EmailTemplate, Preview
from marketing.email.services.rendering import TEMPLATE_SYNTAX, render_template
from marketing.email.store import links as link_store
from marketing.observability import CORRELATION_ATTRIBUTE, logger

_HTML_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_TEXT_LINK = re.compile(r"""https?://[^\s<>"'()]+""")
_TRAILING_PUNCTUATION = ".,;:!?"
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")  # what SES allows in a message tag value
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")  # kept out of List-Id labels and Feedback-ID fields
_PHRASE_UNSAFE = re.compile(r'[()<>\[\]:;@\\,."]')  # RFC 5322 specials: an unquoted phrase has none
# The last field of every Feedback-ID: Gmail's feedback loop groups complaints by it, so it is the
# same for every email the platform sends, whatever the campaign, category or shop.
FEEDBACK_SENDER_ID = "marketing-platform"
# How a subscriber's `source` reads in "you subscribed on … via …".
SOURCE_WORDING = {"website": "our website", "import": "a list we imported", "api": "our shop's app"}


class Envelope(NamedTuple):
    campaign_id: str
    contact_id: str  # "" for a test send
    to: str
    from_name: str
    from_address: str
    reply_to: str | None = None
    subject: str | None = None  # overrides the template's subject
    subject_prefix: str = ""


class Subscribed(NamedTuple):
    """Why a recipient gets marketing email: when and how they subscribed."""

    on: date
    source: str  # a subscriber's source: website, import, api

    @classmethod
    def of(cls, subscriber: Subscriber) -> Subscribed:
        return cls((subscriber.subscribed_at or subscriber.created_at).date(), subscriber.source.value)

    def sentence(self) -> str:
        via = SOURCE_WORDING.get(self.source, self.source)
        return f"You get this because you subscribed on {self.on.day} {self.on:%B %Y} via {via}."


class Composed(NamedTuple):
    subject: str
    html: str
    text: str
    mime: bytes


def _href(found: re.Match[str]) -> str:
    return html_escaping.unescape(found.group(3)).strip()


def _text_url(found: re.Match[str]) -> str:
    return found.group(0).rstrip(_TRAILING_PUNCTUATION)


def written_links(html_source: str, text_source: str) -> frozenset[str]:
    """The web links written in a template's HTML and text sources, as its emails show them: href
    values, URLs in the text and in the HTML's text (which a derived text part shows)."""

    def candidates() -> Iterator[str]:
        yield from (_href(found) for found in _HTML_LINK.finditer(html_source))
        for source in (text_source, html_escaping.unescape(html_source)):
            yield from (_text_url(found) for found in _TEXT_LINK.finditer(source))

    return frozenset(  # a URL with template syntax in its source is made by a merge field
        url
        for url in candidates()
        if url.startswith(("https://", "http://")) and not any(mark in url for mark in TEMPLATE_SYNTAX)
    )


@lru_cache(maxsize=64)  # keyed by the template's id and version as well: one registration per version
def _registered_links(template_id: str, updated_at: datetime, html_source: str, text_source: str) -> Mapping[str, str]:
    urls = written_links(html_source, text_source)
    link_store.register(urls)
    return MappingProxyType({url: link_id(url) for url in urls})


def template_links(template: EmailTemplate) -> Mapping[str, str]:
    """The links written in `template`, URL to link id; registered on the first call per process
    for each version of the template (saving a template registers them too; templates saved before
    links were registered get theirs at their next send), so no email costs a write."""
    return _registered_links(template.id, template.updated_at, template.html_content, template.text_content)


class _Tracker:
    def __init__(self, links: EmailLinks, envelope: Envelope, own_base: str, written: Mapping[str, str]):
        self._links = links
        self._envelope = envelope
        self._own_base = own_base  # links to our own pages (unsubscribe, preferences) stay as they are
        self._written = written
        self._click_urls: dict[str, str] = {}  # a link in both parts, or twice in one, is signed once

    def tracked(self, url: str) -> str:
        link = self._written.get(url)
        if link is None or url.startswith(self._own_base):
            return url
        if link not in self._click_urls:
            self._click_urls[link] = self._links.click_url(self._envelope.campaign_id, self._envelope.contact_id, link)
        return self._click_urls[link]

    def html(self, body: str) -> str:
        def rewrite(found: re.Match[str]) -> str:
            quote = found.group(2)
            return f"{found.group(1)}{quote}{html_escaping.escape(self.tracked(_href(found)), quote=True)}{quote}"

        return _HTML_LINK.sub(rewrite, body)

    def text(self, body: str) -> str:
        def rewrite(found: re.Match[str]) -> str:
            url = _text_url(found)
            return self.tracked(url) + found.group(0)[len(url) :]

        return _TEXT_LINK.sub(rewrite, body)


def _before_body_end(html: str, addition: str) -> str:
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + addition
    at = ends[-1].start()
    return html[:at] + addition + html[at:]


def merge_fields(contact: dict[str, Any], unsubscribe_url: str, preferences_url: str, shop_name: str) -> dict[str, Any]:
    """What a template can use: the contact's fields and the links of its footer."""
    return {
        "first_name": contact.get("first_name") or "",
        "last_name": contact.get("last_name") or "",
        "email": contact.get("email") or "",
        "lifecycle_stage": contact.get("lifecycle_stage") or "",
        "order_count": contact.get("order_count") or 0,
        "lifetime_value": str(contact.get("lifetime_value") or "0.00"),
        "tags": list(contact.get("tags") or []),
        "shop_name": shop_name,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }


def compose(
    template: EmailTemplate,
    contact: dict[str, Any],
    envelope: Envelope,
    links: EmailLinks,
    shop_name: str,
    own_base: str,
    extra_fields: Mapping[str, Any] | None = None,
    *,
    postal_address: str,
    subscribed: Subscribed | None,
    unsubscribe_mail_domain: str | None = None,
) -> Composed:
    """Renders `template` for `contact` (and `extra_fields`, e.g. an abandoned cart) and builds
    the message; its footer names the shop's `postal_address` and, given `subscribed`, why the
    recipient gets it; its List-Unsubscribe mailto names the recipient by a signed address at
    `unsubscribe_mail_domain` (default `unsubscribe.<the sender's domain>`; "off": no mailto).
    Raises what rendering raises, and on the template's first use in this process what
    registering its links raises (callers that must tell the two apart call `template_links`
    first)."""
    unsubscribe_url = links.unsubscribe_url(envelope.campaign_id, envelope.contact_id)
    preferences_url = links.preferences_url(envelope.campaign_id, envelope.contact_id)
    context = {**merge_fields(contact, unsubscribe_url, preferences_url, shop_name), **(extra_fields or {})}
    if envelope.subject:
        template = template.model_copy(update={"subject": envelope.subject})
    rendered: Preview = render_template(template, context)
    tracker = _Tracker(links, envelope, own_base, template_links(template))

    sender = f"{shop_name}, {postal_address}"
    why = subscribed.sentence() if subscribed is not None else ""
    footer_html = (
        '<div style="margin-top:24px;font-size:12px;color:#666666">'
        f"{html_escaping.escape(sender)}<br>"
        + (f"{html_escaping.escape(why)}<br>" if why else "")
        + f'<a href="{html_escaping.escape(unsubscribe_url)}">Unsubscribe</a> &middot; '
        f'<a href="{html_escaping.escape(preferences_url)}">Manage email preferences</a></div>'
    )
    pixel = (
        f'<img src="{html_escaping.escape(links.open_url(envelope.campaign_id, envelope.contact_id))}" '
        'width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">'
    )
    html = _before_body_end(tracker.html(rendered.html), footer_html + pixel)
    text = (
        tracker.text(rendered.text)
        + f"\n\n--\n{sender}\n"
        + (f"{why}\n" if why else "")
        + f"Unsubscribe: {unsubscribe_url}\nEmail preferences: {preferences_url}\n"
    )
    subject = envelope.subject_prefix + rendered.subject.replace("\r", " ").replace("\n", " ")

    domain = envelope.from_address.rpartition("@")[2]
    headers = [
        ("From", formataddr((envelope.from_name, envelope.from_address))),
        ("To", envelope.to),
        ("Subject", subject),
        ("Date", format_datetime(clock.utcnow())),  # "+0000": RFC 5322 retired "GMT"
        ("Message-ID", make_msgid(domain=domain)),
    ]
    if envelope.reply_to:
        headers.append(("Reply-To", envelope.reply_to))
    mail_domain = unsubscribe_mail_domain or f"unsubscribe.{domain.lower()}"
    mailto = (
        None
        if mail_domain == NO_MAILTO
        else links.unsubscribe_mailto(envelope.campaign_id, envelope.contact_id, mail_domain)
    )
    headers.append(("List-Unsubscribe", f"<{unsubscribe_url}>, <{mailto}>" if mailto else f"<{unsubscribe_url}>"))
    headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    if envelope.campaign_id:  # a template's test copy belongs to no mailing
        list_id = mailing_list_id(envelope.campaign_id)
        headers.append(("List-Id", list_id_header(list_id, shop_name, domain)))
        headers.append(("Feedback-ID", feedback_id(list_id, template.category.value, shop_name)))
    headers.append(("X-SES-MESSAGE-TAGS", message_tags(envelope)))
    return Composed(subject=subject, html=html, text=text, mime=alternative(headers, text, html))


def mailing_list_id(mailing_id: str) -> str:
    """What an email's List-Id and Feedback-ID name: the campaign, or the automation (not one run
    of one of its emails: a feedback loop or a filter groups by the list, not by the recipient)."""
    ref = MailingRef.named(mailing_id)
    return ref.run.automation_id if ref.kind == MailingKind.AUTOMATION_EMAIL else ref.id


def list_id_header(list_id: str, shop_name: str, domain: str) -> str:
    """RFC 2919: the shop's name as the phrase, `<list id>.<sender's domain>` as the identifier.
    An ASCII name is quoted; another is left as words (RFC 2047 encodes them, which it may not
    inside quotes), without the characters that would need quoting."""
    label = _ID_UNSAFE.sub("-", list_id).strip("-") or "mailing"
    name = " ".join(shop_name.split())  # no line breaks
    if name.isascii():
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"' if name else ""
    else:
        phrase = " ".join(_PHRASE_UNSAFE.sub("", name).split())
    return f"{phrase} <{label}.{domain.lower()}>" if phrase else f"<{label}.{domain.lower()}>"


def feedback_id(list_id: str, category: str, shop_name: str) -> str:
    """Gmail's Feedback-ID: up to four colon-separated fields, the last the sender's identifier."""
    fields = (list_id, category, shop_name.lower(), FEEDBACK_SENDER_ID)
    return ":".join(_ID_UNSAFE.sub("-", field).strip("-") or "-" for field in fields)


def message_tags(envelope: Envelope) -> str:
    """SES message tags: every event SES publishes for the message carries them back.
    `campaign_id` holds the mailing's id: a campaign's, or an automation email run's;
    `correlation_id` the id the send was logged under, so the events log under it too."""
    if not envelope.contact_id:
        tags = f"kind=test, campaign_id={envelope.campaign_id}"
    else:
        kind = MailingRef.named(envelope.campaign_id).kind.value
        tags = f"kind={kind}, campaign_id={envelope.campaign_id}, contact_id={envelope.contact_id}"
    correlation_id = _TAG_UNSAFE.sub("_", str(logger.get_correlation_id() or ""))[:256]
    return f"{tags}, {CORRELATION_ATTRIBUTE}={correlation_id}" if correlation_id else tags


def parse_message_tags(header: str) -> dict[str, str]:
    tags = {}
    for pair in header.split(","):
        name, _, value = pair.strip().partition("=")
        if name and value:
            tags[name] = value
    return tags
