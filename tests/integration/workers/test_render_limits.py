"""A template past the render limits (services/template_sandbox.py): a 400 naming the field when
it is saved, a failed recipient with the reason when only a contact's data takes it past them."""

from __future__ import annotations

import pytest

from marketing.email.services import template_sandbox
from marketing.email.services.template_sandbox import MAX_OUTPUT_CHARS
from tests.support.campaigns import TEMPLATE, campaign_for, drain, outbox, staff, subscriber

# 30,000 characters per letter of the first name: fine for the sample contact (Ada), too many for
# a contact whose name has nine letters or more.
GROWS_WITH_THE_NAME = "<p>{{ 'x' * (first_name|length * 30000) }}</p>"


@pytest.mark.parametrize(
    ("field", "source"),
    [
        ("html_content", "{% for i in range(30000) %}<p>0123456789</p>{% endfor %}"),
        ("text_content", "{{ 'x' * 1000000000 }}"),
        ("subject", "{{ first_name * 100000 }}"),
    ],
)
def test_a_template_past_a_render_limit_is_a_400_naming_the_field(api_handler, field, source):
    status, body = staff(api_handler, "POST", "/templates/", {**TEMPLATE, field: source})
    assert status == 400, body
    (detail,) = body["error"]["details"]
    assert detail["field"] == field
    assert f"{MAX_OUTPUT_CHARS} characters" in detail["reason"]


def test_a_template_too_slow_to_render_is_a_400_naming_the_field(api_handler, monkeypatch):
    monkeypatch.setattr(template_sandbox, "RENDER_SECONDS", 0.05)
    slow = "{% set xs = range(3000)|list %}{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}"
    status, body = staff(api_handler, "POST", "/templates/", {**TEMPLATE, "html_content": slow})
    assert status == 400, body
    assert body["error"]["details"][0]["field"] == "html_content"
    assert "longer than" in body["error"]["details"][0]["reason"]


def test_a_contact_whose_data_takes_the_template_past_a_limit_is_a_failed_recipient(aws, api_handler):
    long_name = subscriber(api_handler, "bartholomew@example.com", "Bartholomew")
    short_name = subscriber(api_handler, "ada@example.com", "Ada")
    campaign = campaign_for(api_handler, [long_name["contact_id"], short_name["contact_id"]])
    status, body = staff(
        api_handler, "PATCH", f"/templates/{campaign['template_id']}/", {"html_content": GROWS_WITH_THE_NAME}
    )
    assert status == 200, body
    assert staff(api_handler, "POST", f"/campaigns/{campaign['id']}/send/")[0] == 202
    drain(aws)

    assert [str(message["To"]) for message in outbox()] == ["ada@example.com"]
    recipients = staff(api_handler, "GET", f"/campaigns/{campaign['id']}/recipients/")[1]["items"]
    failed = next(item for item in recipients if item["email"] == "bartholomew@example.com")
    assert failed["status"] == "failed"
    assert failed["failure_reason"].startswith("template failed to render")
    assert f"{MAX_OUTPUT_CHARS} characters" in failed["failure_reason"]
