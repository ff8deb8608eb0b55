"""Email templates table: the only code that knows how templates are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.models import Model

from marketing.email.models.templates import EmailTemplate, TemplateCategory
from marketing.errors import Conflict, NotFound
from marketing.store.conditions import get_or_not_found, on_condition_failure
from marketing.store.listing import NewestFirstIndex, newest_first_page
from marketing.store.table_meta import TableMeta

LISTING_PARTITION = "template"


class TemplateRecord(Model):
    class Meta(TableMeta):
        table_env = "TEMPLATES_TABLE"

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING_PARTITION)
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    subject = UnicodeAttribute()
    html_content = UnicodeAttribute()
    text_content = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_created = NewestFirstIndex()

    def to_domain(self) -> EmailTemplate:
        return EmailTemplate(
            id=self.id,
            name=self.name,
            category=TemplateCategory(self.category),
            subject=self.subject,
            html_content=self.html_content,
            text_content=self.text_content or "",
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def _get(template_id: str) -> TemplateRecord:
    return get_or_not_found(TemplateRecord, template_id, "template")


def create(template: EmailTemplate) -> EmailTemplate:
    record = TemplateRecord(
        template.id,
        name=template.name,
        category=template.category.value,
        subject=template.subject,
        html_content=template.html_content,
        text_content=template.text_content,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )
    with on_condition_failure(Conflict(f"template {template.id} already exists")):
        record.save(condition=TemplateRecord.id.does_not_exist())
    return record.to_domain()


def get(template_id: str) -> EmailTemplate:
    return _get(template_id).to_domain()


def update(template_id: str, changes: dict[str, Any], updated_at: datetime) -> EmailTemplate:
    """Applies `changes` (field -> value); the version check turns a concurrent edit into a 409."""
    record = _get(template_id)
    actions = [getattr(TemplateRecord, field).set(value) for field, value in changes.items()]
    actions.append(TemplateRecord.updated_at.set(updated_at))
    with on_condition_failure(Conflict(f"template {template_id} was changed by someone else; fetch it and retry")):
        record.update(actions=actions)
    return record.to_domain()


def delete(template_id: str) -> None:
    with on_condition_failure(NotFound(f"template {template_id} not found")):
        TemplateRecord(template_id).delete(condition=TemplateRecord.id.exists(), add_version_condition=False)


def list_page(limit: int, start_key: dict[str, Any] | None) -> tuple[list[EmailTemplate], dict[str, Any] | None]:
    return newest_first_page(TemplateRecord.by_created, LISTING_PARTITION, limit, start_key)
