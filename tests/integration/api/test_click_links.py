"""Click tracking follows only links written in a template (in-process moto): a URL that a merge
field put into an email stays as it is, untracked, and no click token leads anywhere else."""

from __future__ import annotations

import re

import pytest

from marketing import clock
from marketing.email.links import email_links, link_id
from marketing.email.models.templates import EmailTemplate, TemplateCategory
from marketing.email.services.email_message import Envelope, compose
from marketing.email.store import templates as template_store
from marketing.email.store.links import url_of
from marketing.tokens import SigningKeys, TokenSigner, secret_key_ring
from tests.support.campaigns import TEMPLATE, campaign_for, drain, outbox, parts, staff, subscriber
from tests.support.events import Context, call, http_event

EVIL = "https://evil.example/login"
SALE = "https://shop.example/sale?a=1&b=2"
CLICK_LINK = re.compile(r"https://marketing\.test/api/v1/marketing(/track/click/[^\s\"'<>]+/)")


@pytest.fixture(autouse=True)
def signer_of_this_test():
    """Tokens this test signs itself and the API's must come from the same secret (this test's)."""
    email_links.cache_clear()
    yield
    email_links.cache_clear()


def _signer(aws) -> TokenSigner:
    return TokenSigner(SigningKeys(secret_key_ring(aws["TOKEN_SECRET_NAME"])))


def _redirects(api, path: str) -> str:
    response = api(http_event("GET", path.replace("&amp;", "&")), Context())
    assert response["statusCode"] == 302, response
    return response["headers"]["Location"]


def _send_to_evil(aws, api, **template_changes) -> tuple[dict, str, str, str]:
    """A campaign of the sale template (with `template_changes`) to a contact whose first name is a
    URL; returns the campaign, the contact's id and the email's text and HTML parts."""
    person = subscriber(api, "mallory@example.com", EVIL)
    campaign = campaign_for(api, [person["contact_id"]])
    if template_changes:
        status, body = staff(api, "PATCH", f"/templates/{campaign['template_id']}/", template_changes)
        assert status == 200, body
    assert staff(api, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    (email,) = outbox()
    text, html = parts(email)
    return campaign, person["contact_id"], text, html


@pytest.mark.parametrize(
    "template_changes",
    [
        {},
        {"text_content": None},  # the text part is derived from the HTML
        {
            "html_content": '<p>Hi {{ first_name }}, <a href="{{ first_name }}">your account</a>. '
            f'<a href="{SALE.replace("&", "&amp;")}">Sale</a> {{{{ first_name }}}}</p>',
            "text_content": "Hi {{ first_name }}: https://shop.example/sale?a=1&b=2 and {{ first_name }}.",
        },
    ],
    ids=["text-part", "no-text-part", "merge-field-in-href"],
)
def test_a_url_in_a_merge_field_is_never_click_tracked(aws, api_handler, template_changes):
    campaign, _, text, html = _send_to_evil(aws, api_handler, **template_changes)
    for part in (text, html):
        tracked = CLICK_LINK.findall(part)
        assert tracked, part
        assert {_redirects(api_handler, path) for path in tracked} == {SALE}
        assert EVIL in part  # left as it is, untracked
    analytics = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert analytics["clicked"] == 1


def test_a_click_token_for_a_url_not_written_in_a_template_is_refused(aws, api_handler):
    campaign, contact_id, _, _ = _send_to_evil(aws, api_handler)
    signer = _signer(aws)
    foreign = [
        signer.sign("click", {"c": campaign["id"], "k": contact_id, "u": EVIL}),  # as tokens were signed before
        signer.sign("click", {"c": campaign["id"], "k": contact_id, "l": link_id(EVIL)}),
        signer.sign("click", {"c": campaign["id"], "k": contact_id, "l": "no-such-link"}),
        signer.sign("click", {"c": campaign["id"], "k": contact_id}),
    ]
    for token in foreign:
        status, body = call(api_handler, "GET", f"/track/click/{token}/")
        assert status == 400
        assert "evil.example" not in str(body)
    analytics = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]
    assert analytics["clicked"] == 0

    # A token sent before links had ids still works for a link written in the template.
    legacy = signer.sign("click", {"c": campaign["id"], "k": contact_id, "u": SALE})
    assert _redirects(api_handler, f"/track/click/{legacy}/") == SALE
    assert staff(api_handler, "GET", f"/campaigns/{campaign['id']}/analytics/")[1]["clicked"] == 1


def test_links_of_a_template_saved_before_links_were_registered_are_registered_at_its_send(aws, api_handler):
    now = clock.utcnow()
    fields = {key: value for key, value in TEMPLATE.items() if key != "category"}
    template = template_store.create(  # as saved before: through the store, nothing registered
        EmailTemplate(id="tpl_old", category=TemplateCategory.PROMOTIONAL, created_at=now, updated_at=now, **fields)
    )
    assert url_of(link_id(SALE)) is None
    person = subscriber(api_handler, "ada@example.com", "Ada")
    segment = staff(
        api_handler, "POST", "/segments/", {"name": "S", "type": "static", "contact_ids": [person["contact_id"]]}
    )
    body = {"name": "Old", "template_id": template.id, "segment_id": segment[1]["id"], "from_name": "Shop"}
    campaign = staff(api_handler, "POST", "/campaigns/", body)[1]
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)
    (email,) = outbox()
    text, html = parts(email)
    assert {_redirects(api_handler, path) for path in CLICK_LINK.findall(text + html)} == {SALE}


def test_an_abandoned_carts_url_stays_in_the_email_untracked(aws, api_handler):
    template = EmailTemplate.model_construct(
        id="tpl_cart",
        updated_at=clock.utcnow(),
        subject="You left something",
        category=TemplateCategory.AUTOMATION,
        html_content='<p><a href="{{ cart.url }}">Back to your cart</a> or <a href="https://shop.example/new">new</a></p>',
        text_content="",
    )
    envelope = Envelope("cmp_1", "", "ada@example.com", "Shop", "news@shop.example")
    cart = {"cart": {"url": EVIL, "total": "54.00", "item_count": 2}}
    composed = compose(
        template,
        {"first_name": "Ada"},
        envelope,
        email_links(),
        "Shop",
        "https://marketing.test",
        cart,
        postal_address="1 Test Street",
        subscribed=None,
    )
    assert f'href="{EVIL}"' in composed.html
    assert f"({EVIL})" in composed.text
    tracked = CLICK_LINK.findall(composed.html + composed.text)
    assert {_redirects(api_handler, path) for path in tracked} == {"https://shop.example/new"}
