"""A marketing email, as the MIME that goes to SES: the rendered template with every link written in
the template click-tracked, an open pixel, a footer with the unsubscribe and preference-centre
links, the shop's postal address and why the recipient gets the email, a text and an HTML part,
the List-Unsubscribe headers of RFC 2369 and RFC 8058, `List-Id` (RFC 2919) and `Feedback-ID`
(Gmail's feedback loop).

Only links written in the template's source are tracked, never a URL that a merge field put into
the email (a contact's name, a cart's URL): those stay as they are. A link written in the source
is a literal web URL with no template syntax in it; it is registered (store/links.py) before an
email uses it, and its click token names it by id, so the click route redirects to nothing else.
Where the source writes it as its emails show it, the source is compiled once with a slot for it
that each email fills (services/link_slots.py); elsewhere each rendered email is scanned for it."""

from __future__ import annotations

import html as html_escaping
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from email.utils import format_datetime, formataddr, make_msgid
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from marketing import clock
from marketing.audience.models.subscribers import Subscriber
from marketing.campaigns.models.mailings import MailingKind, MailingRef
from marketing.email.links import EmailLinks, RecipientLinks, link_id
from marketing.email.mailto import NO_MAILTO
from marketing.email.mime import alternative
from marketing.email.models.templates import EmailTemplate, Preview
from marketing.email.services.link_slots import (
    HTML_LINK,
    SLOT_PREFIX,
    TEXT_LINK,
    LinkScan,
    Slotted,
    href,
    slotted,
    slotted_tree,
)
from marketing.email.services.link_slots import text_url as _text_url
from marketing.email.services.rendering import TEMPLATE_SYNTAX, has_template_syntax, render_template
from marketing.email.store import links as link_store
from marketing.observability import CORRELATION_ATTRIBUTE, logger

if TYPE_CHECKING:
    from jinja2 import Template

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


def written_links(html_source: str, text_source: str) -> frozenset[str]:
    """The web links written in a template's HTML and text sources, as its emails show them: href
    values, URLs in the text and in the HTML's text (which a derived text part shows)."""

    def candidates() -> Iterator[str]:
        yield from (href(found) for found in HTML_LINK.finditer(html_source))
        for source in (text_source, html_escaping.unescape(html_source)):
            yield from (_text_url(found) for found in TEXT_LINK.finditer(source))

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


class _Identity:
    """A cache key standing for one object (a template version's links: `template_links` gives the
    same mapping for each email of the version), kept alive by the key."""

    __slots__ = ("value",)

    def __init__(self, value: object):
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.value is self.value


class _Sources(NamedTuple):
    """A template version's HTML and text sources compiled with their link slots."""

    html: Slotted
    text: Slotted | None  # None: the text is derived from the HTML
    slots: tuple[str, ...]  # the variable of each slot
    links: tuple[str, ...]  # the link id of each slot, in the same order
    derived_text: Template | None = None  # the HTML's text template, if its text is derived and may use one


@lru_cache(maxsize=64)
def _slotted_sources(html_source: str, text_source: str, own_base: str, written: _Identity) -> _Sources:
    numbering: dict[str, int] = {}  # one slot per link for both parts: a link in both is signed once
    html = slotted(html_source, True, written.value, own_base, numbering)
    text = slotted(text_source, False, written.value, own_base, numbering) if text_source else None
    derived = None
    if text is None and has_template_syntax(html_source):
        from marketing.email.services.derived_text import text_template

        # A tree of its own, slotted as the HTML's (the numbering has every link already).
        try:
            derived = text_template(slotted_tree(html_source, True, written.value, own_base, numbering)[0])
        except Exception:  # a saving, never a reason for a send to fail: each email's text from its HTML
            logger.exception("no text template for this HTML: each email's text is derived from its HTML")
    slots = tuple(f"{SLOT_PREFIX}{slot}" for slot in numbering.values())
    return _Sources(html, text, slots, tuple(numbering), derived)


@lru_cache(maxsize=32)
def _text_with_slots(text: str, own_base: str, written: _Identity) -> tuple[str | int, ...]:
    """A text the same for every email (derived from an HTML without merge fields) as its pieces and,
    between them, the indexes of its written links in the tuple that follows them (their ids)."""
    pieces: list[str | int] = []
    links: dict[str, int] = {}
    at = 0
    scan = LinkScan(written.value, own_base, lambda link: link)
    for found in TEXT_LINK.finditer(text):
        url = _text_url(found)
        link = scan.link_of(url)
        if link is None:
            continue
        pieces += [text[at : found.start()], links.setdefault(link, len(links))]
        at = found.start() + len(url)
    pieces.append(text[at:])
    return (*pieces, tuple(links))


class _Tracker:
    """One email's tracked links: those of the slots signed at once, any other when it is met."""

    def __init__(self, recipient: RecipientLinks, sources: _Sources, written: Mapping[str, str], own_base: str):
        self._recipient = recipient
        self.email = recipient.email_urls(list(sources.links))
        self.urls = dict(zip(sources.links, self.email.clicks, strict=True))
        self.scan = LinkScan(written, own_base, self.url)

    def url(self, link: str) -> str:
        if link not in self.urls:
            self.urls[link] = self._recipient.click_urls([link])[0]
        return self.urls[link]

    def constant_text(self, text: str, own_base: str, written: _Identity) -> str:
        *pieces, links = _text_with_slots(text, own_base, written)
        missing = [link for link in links if link not in self.urls]
        if missing:
            self.urls.update(zip(missing, self._recipient.click_urls(missing), strict=True))
        urls = [self.urls[link] for link in links]
        return "".join([piece if isinstance(piece, str) else urls[piece] for piece in pieces])


def _before_body_end(html: str, addition: str) -> str:
    """`addition` before the last `</body>` (in any case, with spaces before `>`), else at the end:
    the closing tags are looked for from the end (each match of _BODY_END starts with `</`)."""
    at = len(html)
    while (at := html.rfind("</", 0, at)) >= 0:
        if _BODY_END.match(html, at):
            return html[:at] + addition + html[at:]
    return html + addition


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
    written = template_links(template)
    key = _Identity(written)
    sources = _slotted_sources(template.html_content, template.text_content, own_base, key)
    tracker = _Tracker(links.recipient(envelope.campaign_id, envelope.contact_id), sources, written, own_base)
    unsubscribe_url, preferences_url = tracker.email.unsubscribe, tracker.email.preferences
    context = {
        **merge_fields(contact, unsubscribe_url, preferences_url, shop_name),
        **(extra_fields or {}),
        **{slot: tracker.urls[link] for slot, link in zip(sources.slots, sources.links, strict=True)},
    }
    if envelope.subject:
        template = template.model_copy(update={"subject": envelope.subject})
    rendered: Preview = render_template(
        template,
        context,
        html=sources.html.template,
        text=sources.text.template if sources.text else None,
        derived_text=sources.derived_text,
    )
    body = rendered.html if sources.html.complete else tracker.scan.html(rendered.html)
    if sources.text is not None:
        text = rendered.text if sources.text.complete else tracker.scan.text(rendered.text)
    elif has_template_syntax(template.html_content):
        text = tracker.scan.text(rendered.text)  # links written in the HTML's text: the HTML shows them as they are
    else:
        text = tracker.constant_text(rendered.text, own_base, key)

    footer_html, footer_text = _footer(shop_name, postal_address, subscribed)
    footer_html += (
        f'<a href="{html_escaping.escape(unsubscribe_url)}">Unsubscribe</a> &middot; '
        f'<a href="{html_escaping.escape(preferences_url)}">Manage email preferences</a></div>'
    )
    pixel = (
        f'<img src="{html_escaping.escape(tracker.email.open)}" '
        'width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">'
    )
    html = _before_body_end(body, footer_html + pixel)
    text = text + footer_text + f"Unsubscribe: {unsubscribe_url}\nEmail preferences: {preferences_url}\n"
    subject = envelope.subject_prefix + rendered.subject.replace("\r", " ").replace("\n", " ")

    domain = envelope.from_address.rpartition("@")[2]
    headers = [
        ("From", _from_header(envelope.from_name, envelope.from_address)),
        ("To", envelope.to),
        ("Subject", subject),
        ("Date", _date_header(clock.utcnow().replace(microsecond=0))),
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
    headers += _list_headers(envelope.campaign_id, shop_name, domain, template.category.value)
    headers.append(("X-SES-MESSAGE-TAGS", message_tags(envelope)))
    return Composed(subject=subject, html=html, text=text, mime=alternative(headers, text, html))


# What is the same for every email of a mailing (or a second), made once.
@lru_cache(maxsize=32)
def _footer(shop_name: str, postal_address: str, subscribed: Subscribed | None) -> tuple[str, str]:
    """The start of the footer in HTML, before its links, and in text."""
    sender = f"{shop_name}, {postal_address}"
    why = subscribed.sentence() if subscribed is not None else ""
    html = f'<div style="margin-top:24px;font-size:12px;color:#666666">{html_escaping.escape(sender)}<br>' + (
        f"{html_escaping.escape(why)}<br>" if why else ""
    )
    return html, f"\n\n--\n{sender}\n" + (f"{why}\n" if why else "")


@lru_cache(maxsize=32)
def _from_header(name: str, address: str) -> str:
    return formataddr((name, address))


@lru_cache(maxsize=2)
def _date_header(second: datetime) -> str:
    return format_datetime(second)  # "+0000": RFC 5322 retired "GMT"


@lru_cache(maxsize=32)
def _list_headers(mailing_id: str, shop_name: str, domain: str, category: str) -> tuple[tuple[str, str], ...]:
    if not mailing_id:  # a template's test copy belongs to no mailing
        return ()
    list_id = mailing_list_id(mailing_id)
    return (
        ("List-Id", list_id_header(list_id, shop_name, domain)),
        ("Feedback-ID", feedback_id(list_id, category, shop_name)),
    )


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
        kind = _mailing_kind(envelope.campaign_id)
        tags = f"kind={kind}, campaign_id={envelope.campaign_id}, contact_id={envelope.contact_id}"
    correlation_id = _tag_value(str(logger.get_correlation_id() or ""))
    return f"{tags}, {CORRELATION_ATTRIBUTE}={correlation_id}" if correlation_id else tags


@lru_cache(maxsize=32)
def _mailing_kind(mailing_id: str) -> str:
    return MailingRef.named(mailing_id).kind.value


@lru_cache(maxsize=8)  # one correlation id per batch
def _tag_value(value: str) -> str:
    return _TAG_UNSAFE.sub("_", value)[:256]


def parse_message_tags(header: str) -> dict[str, str]:
    tags = {}
    for pair in header.split(","):
        name, _, value = pair.strip().partition("=")
        if name and value:
            tags[name] = value
    return tags
