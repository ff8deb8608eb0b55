"""Email template rules: every saved template is valid and safe to render, and the links written in
it are registered as the only ones its emails' click tokens can lead to (services/email_message)."""

from __future__ import annotations

from typing import Any

from marketing import clock, pagination
from marketing.email.models.template_requests import PreviewRequest, TemplateCreate, TemplatePage, TemplatePatch
from marketing.email.models.templates import EmailTemplate, Preview
from marketing.email.services import email_message, rendering
from marketing.email.store import templates as store
from marketing.errors import ValidationFailed
from marketing.ids import new_id

# Which fields hold template source, and whether they are HTML (autoescaped).
_TEMPLATE_FIELDS = {"subject": False, "html_content": True, "text_content": False}


def _validate_sources(fields: dict[str, Any]) -> None:
    for field, is_html in _TEMPLATE_FIELDS.items():
        source = fields.get(field)
        if source:
            rendering.validate(field, source, html=is_html)


def create(request: TemplateCreate) -> EmailTemplate:
    _validate_sources(request.model_dump())
    now = clock.utcnow()
    template = store.create(EmailTemplate(id=new_id("tpl"), created_at=now, updated_at=now, **request.model_dump()))
    email_message.template_links(template)
    return template


def get(template_id: str) -> EmailTemplate:
    return store.get(template_id)


def update(template_id: str, patch: TemplatePatch) -> EmailTemplate:
    changes = patch.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field != "text_content":
            raise ValidationFailed.field(field, "may not be null")
    if "text_content" in changes and changes["text_content"] is None:
        changes["text_content"] = ""  # null clears the text part: sends derive it from the HTML
    _validate_sources(changes)
    if not changes:
        return store.get(template_id)
    template = store.update(template_id, changes, clock.utcnow())
    email_message.template_links(template)
    return template


def delete(template_id: str) -> None:
    store.delete(template_id)


def list_page(limit: int | None, cursor: str | None) -> TemplatePage:
    items, last_key = store.list_page(pagination.page_size(limit), pagination.decode_cursor(cursor, "templates"))
    return TemplatePage(items=items, next=pagination.encode_cursor(last_key, "templates"))


def preview(template_id: str, request: PreviewRequest) -> Preview:
    template = store.get(template_id)
    try:
        return rendering.render_template(template, {**rendering.SAMPLE_CONTEXT, **request.data})
    except Exception as exc:  # sample data the template cannot work with is the caller's input error
        raise ValidationFailed.field("data", f"template fails to render with this data: {exc}") from exc
