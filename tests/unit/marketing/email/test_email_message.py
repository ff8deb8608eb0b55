"""Which links of a template are its own: the literal web links of its sources, as emails show
them; and the footer and headers every marketing email carries."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

import pytest

from marketing.audience.models.subscribers import Preferences, Subscriber, SubscriberSource, SubscriberStatus
from marketing.email.links import EmailLinks, link_id
from marketing.email.models.templates import EmailTemplate, TemplateCategory
from marketing.email.services import derived_text, email_message
from marketing.email.services.email_message import Envelope, written_links
from marketing.tokens import KeyRing, SigningKeys, TokenSigner


def test_literal_links_are_written_links_as_the_email_shows_them():
    html = (
        "<a href=\"https://shop.example/sale?a=1&amp;b=2\">Sale</a> <a href='http://shop.example/old'>Old</a> "
        'See https://shop.example/faq. <img src="https://cdn.example/logo.png"> <a href="mailto:x@shop.example">x</a>'
    )
    text = "Shop: https://shop.example/text, or (https://shop.example/paren)."
    assert written_links(html, text) == {
        "https://shop.example/sale?a=1&b=2",
        "http://shop.example/old",
        "https://shop.example/faq",
        "https://cdn.example/logo.png",
        "https://shop.example/text",
        "https://shop.example/paren",
    }


def test_urls_made_by_merge_fields_or_template_syntax_are_not_written_links():
    html = (
        '<a href="{{ cart.url }}">Cart</a> <a href="https://shop.example/p/{{ product_id }}">P</a> '
        "{{ first_name }} https://shop.example/u?{% if vip %}vip=1{% endif %} https://shop.example{# note #}"
    )
    text = "{{ unsubscribe_url }} https://shop.example/{{ slug }}"
    assert written_links(html, text) == set()


# --- the footer and headers of every marketing email ----------------------------------------------
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LINKS = EmailLinks(TokenSigner(SigningKeys(lambda: KeyRing(b"k" * 32, None))), "https://marketing.test/api")


def _template(category: TemplateCategory = TemplateCategory.PROMOTIONAL) -> EmailTemplate:
    return EmailTemplate(
        id="tpl_1",
        name="Sale",
        category=category,
        subject="Hi {{ first_name }}",
        html_content="<html><body><p>Hi {{ first_name }}</p></body></html>",
        text_content="Hi {{ first_name }}",
        created_at=NOW,
        updated_at=NOW,
    )


def _compose(monkeypatch, mailing_id: str = "cmp_1", **overrides) -> tuple[email_message.Composed, EmailMessage]:
    monkeypatch.setattr(email_message, "template_links", lambda template: {})  # no table in unit tests
    arguments = {
        "postal_address": "Shop <Ltd>, 1 High St & Co, Leeds",
        "subscribed": email_message.Subscribed(NOW.date(), "website"),
        "shop_name": 'Café "Best" Shop',
        **overrides,
    }
    envelope = Envelope(mailing_id, "con_1", "ada@example.com", "Shop", "news@Shop.example")
    composed = email_message.compose(
        _template(),
        {"first_name": "Ada"},
        envelope,
        LINKS,
        arguments.pop("shop_name"),
        "https://marketing.test/api",
        **arguments,
    )
    return composed, email.message_from_bytes(composed.mime, policy=policy.default)


def test_the_footer_shows_the_postal_address_and_why_escaped_in_html_and_plain_in_text(monkeypatch):
    composed, _ = _compose(monkeypatch)
    why = "You get this because you subscribed on 1 March 2026 via our website."
    assert "Café &quot;Best&quot; Shop, Shop &lt;Ltd&gt;, 1 High St &amp; Co, Leeds<br>" in composed.html
    assert f"{why}<br>" in composed.html
    assert '"Best" Shop, Shop <Ltd>, 1 High St & Co, Leeds\n' + why + "\n" in composed.text
    assert composed.html.index(why) < composed.html.index("Unsubscribe</a>")


def test_why_names_the_subscription_date_and_source_of_the_subscriber():
    subscriber = Subscriber(
        id="sub_1",
        email="ada@example.com",
        contact_id="con_1",
        user_id=None,
        status=SubscriberStatus.SUBSCRIBED,
        source=SubscriberSource.IMPORT,
        preferences=Preferences(),
        subscribed_at=None,  # subscribed before the field was kept: the record's creation
        unsubscribed_at=None,
        created_at=datetime(2025, 12, 24, 23, 0, tzinfo=UTC),
        updated_at=NOW,
    )
    assert email_message.Subscribed.of(subscriber).sentence() == (
        "You get this because you subscribed on 24 December 2025 via a list we imported."
    )
    later = subscriber.model_copy(update={"subscribed_at": NOW, "source": SubscriberSource.API})
    assert "on 1 March 2026 via our shop's app." in email_message.Subscribed.of(later).sentence()


def test_without_a_subscription_the_footer_has_no_why_line(monkeypatch):
    composed, _ = _compose(monkeypatch, subscribed=None)
    assert "You get this because" not in composed.html + composed.text


def test_a_campaign_email_names_its_list_and_gmail_feedback_id(monkeypatch):
    _, message = _compose(monkeypatch)
    assert message["List-Id"] == "Café Best Shop <cmp_1.shop.example>"  # an unquoted phrase: RFC 2047 words
    assert message["Feedback-ID"] == "cmp_1:promotional:caf-best-shop:marketing-platform"
    _, message = _compose(monkeypatch, shop_name="Example Shop")
    assert message["List-Id"] == '"Example Shop" <cmp_1.shop.example>'


def test_an_automation_email_names_the_automation_not_the_run(monkeypatch):
    _, message = _compose(monkeypatch, mailing_id="aut_7.2.3", shop_name="Shop")
    assert message["List-Id"] == '"Shop" <aut_7.shop.example>'
    assert message["Feedback-ID"].split(":") == ["aut_7", "promotional", "shop", email_message.FEEDBACK_SENDER_ID]


def test_a_templates_test_copy_belongs_to_no_list(monkeypatch):
    _, message = _compose(monkeypatch, mailing_id="")
    assert message["List-Id"] is None
    assert message["Feedback-ID"] is None


def test_feedback_id_fields_hold_no_colons():
    assert email_message.feedback_id("cmp:1", "news", "A: B") == "cmp-1:news:a-b:marketing-platform"


def test_the_mailto_names_the_recipient_by_a_signed_address_at_the_unsubscribe_domain(monkeypatch):
    _, message = _compose(monkeypatch)
    header = dict(message.raw_items())["List-Unsubscribe"]
    local = re.search(r"<mailto:([a-z2-7]+)@unsubscribe\.shop\.example\?subject=unsubscribe>$", header).group(1)
    assert LINKS.mailto.verify(local) == ("cmp_1", "con_1")
    _, given = _compose(monkeypatch, unsubscribe_mail_domain="optout.shop.example")
    assert "@optout.shop.example?subject=unsubscribe>" in dict(given.raw_items())["List-Unsubscribe"]
    _, off = _compose(monkeypatch, unsubscribe_mail_domain="off")  # the stack receives no mail
    assert "mailto:" not in dict(off.raw_items())["List-Unsubscribe"]


# --- the links of an email: written links tracked, in both parts, each signed once -------------------
def _tracked_links(composed: email_message.Composed) -> dict[str, list[str]]:
    """The link id each tracked link of each part leads to."""
    found = {}
    for part, body in (("html", composed.html), ("text", composed.text)):
        tokens = re.findall(r"https://marketing\.test/api/track/click/([^/\s\"'<>]+)/", body)
        found[part] = [LINKS.verify("click", token).link_id for token in tokens]
    return found


def _compose_html_only(monkeypatch, html: str, contact: dict, written: dict | None = None) -> email_message.Composed:
    """An email of a template with an HTML part only (its text derived), its links `written`."""
    monkeypatch.setattr(email_message, "template_links", lambda template: written or {})
    template = _template().model_copy(update={"html_content": html, "text_content": ""})
    envelope = Envelope("cmp_1", "con_1", "ada@example.com", "Shop", "news@shop.example")
    return email_message.compose(
        template,
        contact,
        envelope,
        LINKS,
        "Shop",
        "https://marketing.test/api",
        postal_address="1 High St",
        subscribed=None,
    )


@pytest.mark.parametrize("merge_fields", [False, True], ids=["same-html", "html-with-merge-fields"])
def test_a_derived_text_shows_the_tracked_links_of_the_html_and_of_its_text(monkeypatch, merge_fields):
    html = (
        '<html><body><p>Hi{{ " " ~ first_name if first_name }}. <a href="https://shop.example/sale?a=1&amp;b=2">'
        'Sale</a></p><p>Or see https://shop.example/faq, <a href="https://marketing.test/api/preferences/">'
        "prefs</a></p></body></html>"
    )
    if not merge_fields:
        html = html.replace('{{ " " ~ first_name if first_name }}', "")
    sale, faq = "https://shop.example/sale?a=1&b=2", "https://shop.example/faq"
    written = {url: link_id(url) for url in email_message.written_links(html, "")}
    assert set(written) == {sale, faq, "https://marketing.test/api/preferences/"}
    composed = _compose_html_only(monkeypatch, html, {"first_name": "Ada"}, written)
    assert _tracked_links(composed) == {"html": [link_id(sale)], "text": [link_id(sale), link_id(faq)]}
    assert "See https://shop.example/faq" not in composed.text  # the text's own link is tracked too
    assert "Or see https://shop.example/faq" in composed.html  # the HTML shows its text as it is
    assert '<a href="https://marketing.test/api/preferences/">' in composed.html  # our own page, untouched
    assert composed.text.startswith("Hi Ada. Sale (" if merge_fields else "Hi. Sale (")


@pytest.mark.parametrize("text_template_fails", [False, True], ids=["text-template", "no-text-template"])
def test_an_html_with_merge_fields_gets_the_text_its_rendered_html_gives(monkeypatch, text_template_fails):
    made = []
    real = derived_text.text_template

    def text_template(tree):
        if text_template_fails:  # a saving, never a reason for a send to fail
            raise RuntimeError("a tree Jinja2 cannot compile")
        made.append(real(tree))
        return made[-1]

    monkeypatch.setattr(derived_text, "text_template", text_template)
    html = (
        f"<html><body><h1>Hi {{{{ first_name }}}},</h1><p>{'new' if text_template_fails else 'fresh'} &amp; "
        "{% if order_count %}back again{% else %}welcome{% endif %}</p></body></html>"
    )
    composed = _compose_html_only(monkeypatch, html, {"first_name": "Ada & <Bo>", "order_count": 2})
    expected = "new & back again" if text_template_fails else "fresh & back again"
    assert composed.text.startswith(f"Hi Ada & <Bo>,\n\n{expected}\n\n--\n")
    assert len(made) == (0 if text_template_fails else 1)
    assert all(template is not None for template in made)  # the text came from the text template
