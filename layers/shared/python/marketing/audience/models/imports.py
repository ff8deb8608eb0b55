"""Bulk contact imports: a CSV uploaded through a pre-signed URL, processed by a worker, with a
status resource that shows progress and the rows it refused.

Columns (first row; names in any case): `email` (required), `first_name`, `last_name`,
`user_id`, `lifecycle_stage`, `tags` (separated by `;`, `|` or `,`), `subscribed` (yes/no,
true/false, 1/0). Empty cells leave a contact's field as it is; tags are added to the contact's
tags; `subscribed` yes subscribes the contact (source import). Rows are numbered as a
spreadsheet shows them: the header is row 1, the first contact row 2.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import Field, field_validator

from marketing.audience.models.contacts import Email, LifecycleStage, Tags
from marketing.models import ApiInput, ApiModel

MAX_ROWS = 100_000
MAX_BYTES = 50 * 1024 * 1024
MAX_ROW_ERRORS = 100  # kept on the import; the rest are counted
COLUMNS = ("email", "first_name", "last_name", "user_id", "lifecycle_stage", "tags", "subscribed")
_YES, _NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


class ImportStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class ImportCreate(ApiInput):
    filename: str = Field(default="contacts.csv", max_length=200, description="For your reference only")


class RowError(ApiModel):
    row: int = Field(description="Spreadsheet row number: the header is row 1")
    field: str
    reason: str


class Upload(ApiModel):
    url: str = Field(description="PUT the CSV file to this URL, e.g. curl -T list.csv -H 'Content-Type: text/csv'")
    method: str = "PUT"
    headers: dict[str, str] = Field(default_factory=lambda: {"Content-Type": "text/csv"})
    expires_at: datetime


class ImportCounts(ApiModel):
    rows: int = Field(default=0, description="Rows read so far")
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


class ContactImport(ApiModel):
    id: str
    filename: str
    status: ImportStatus
    upload: Upload | None = Field(default=None, description="Present until the file has arrived")
    counts: ImportCounts
    errors: list[RowError] = Field(description=f"The first {MAX_ROW_ERRORS} rejected rows and why")
    ignored_columns: list[str] = Field(default_factory=list)
    failure_reason: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None


class ImportProgress(NamedTuple):
    """Where a running import is: what its worker reads before the next chunk."""

    id: str
    status: ImportStatus
    next_offset: int  # the byte the next chunk starts at
    next_row: int  # that chunk's first row number, as a spreadsheet counts them
    rows: int  # rows read so far
    columns: list[str] | None  # the header, once read
    ignored_columns: list[str]
    errors: list[dict[str, Any]]  # the row errors kept so far


class ImportRow(ApiInput):
    """One CSV row: its non-blank cells, by column name."""

    email: Email
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    user_id: str | None = Field(default=None, max_length=128)
    lifecycle_stage: LifecycleStage | None = None
    tags: Tags | None = None
    subscribed: bool | None = None

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: object) -> object:
        if isinstance(value, str):
            return [tag for tag in value.replace("|", ";").replace(",", ";").split(";") if tag.strip()]
        return value

    @field_validator("subscribed", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        if isinstance(value, str):
            answer = value.strip().lower()
            if answer in _YES:
                return True
            if answer in _NO:
                return False
            raise ValueError("write yes or no")
        return value
