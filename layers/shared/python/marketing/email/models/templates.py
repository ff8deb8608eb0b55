"""Email templates, and what a template renders to. What only the template routes take and
return is in template_requests."""

from datetime import datetime
from enum import StrEnum

from marketing.models import ApiModel


class TemplateCategory(StrEnum):
    TRANSACTIONAL = "transactional"
    PROMOTIONAL = "promotional"
    NEWSLETTER = "newsletter"
    AUTOMATION = "automation"


class EmailTemplate(ApiModel):
    id: str
    name: str
    category: TemplateCategory
    subject: str
    html_content: str
    text_content: str
    created_at: datetime
    updated_at: datetime


class Preview(ApiModel):
    subject: str
    html: str
    text: str
