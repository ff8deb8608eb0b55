"""Email template request and response models (the API's edge)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from marketing.models.base import ApiInput, ApiModel

# An item must stay under DynamoDB's 400 KB: leave room for the other attributes.
MAX_CONTENT_CHARS = 150_000


class TemplateCategory(StrEnum):
    TRANSACTIONAL = "transactional"
    PROMOTIONAL = "promotional"
    NEWSLETTER = "newsletter"
    AUTOMATION = "automation"


class TemplateCreate(ApiInput):
    name: str = Field(min_length=1, max_length=200)
    category: TemplateCategory
    subject: str = Field(min_length=1, max_length=998, description="Jinja2 merge tags allowed, e.g. {{ first_name }}")
    html_content: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    text_content: str = Field(
        default="",
        max_length=MAX_CONTENT_CHARS,
        description="Plain-text part; when empty, sends derive it from the HTML.",
    )


class TemplatePatch(ApiInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: TemplateCategory | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=998)
    html_content: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT_CHARS)
    text_content: str | None = Field(default=None, max_length=MAX_CONTENT_CHARS)


class EmailTemplate(ApiModel):
    id: str
    name: str
    category: TemplateCategory
    subject: str
    html_content: str
    text_content: str
    created_at: datetime
    updated_at: datetime


class TemplatePage(ApiModel):
    items: list[EmailTemplate]
    next: str | None = Field(default=None, description="Cursor for the next page; absent on the last page.")


class PreviewRequest(ApiInput):
    data: dict[str, Any] = Field(
        default_factory=dict, description="Merge-tag values overriding the sample contact (first_name, …)."
    )


class Preview(ApiModel):
    subject: str
    html: str
    text: str
