"""What the template routes take and return besides a template and its preview: only the API
loads these, not the workers that render and send (decision 48)."""

from typing import Any

from pydantic import Field

from marketing.email.models.templates import EmailTemplate, TemplateCategory
from marketing.models import ApiInput, ApiModel, NextCursor

# An item must stay under DynamoDB's 400 KB: leave room for the other attributes.
MAX_CONTENT_CHARS = 150_000


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


class TemplatePage(ApiModel):
    items: list[EmailTemplate]
    next: NextCursor = None


class PreviewRequest(ApiInput):
    data: dict[str, Any] = Field(
        default_factory=dict, description="Merge-tag values overriding the sample contact (first_name, …)."
    )
