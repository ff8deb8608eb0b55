"""Bulk contact imports: a CSV uploaded through a pre-signed URL, processed by a worker, with a
status resource that shows progress and the rows it refused.

Columns (first row; names in any case): `email` (required), `first_name`, `last_name`,
`user_id`, `lifecycle_stage`, `tags` (separated by `;`, `|` or `,`), `subscribed` (yes/no,
true/false, 1/0), and how a row's person consented: `consent_method`, `consent_source`,
`consent_date` (YYYY-MM-DD). Empty cells leave a contact's field as it is; tags are added to the
contact's tags. Rows are numbered as a spreadsheet shows them: the header is row 1, the first
contact row 2.

`subscribed` yes subscribes the contact (source import) only with a stated consent: the row's, or
the import's own (`consent` when it is created). A row without one is imported as a contact, not
subscribed, and waits for a re-permission email (its owner's double opt-in) that staff send in
bulk; so do rows with consent where the double opt-in policy for imports asks for one, their
emails sent when the import completes (decision 85). An address that unsubscribed, bounced,
complained or is on the do-not-email list is neither subscribed nor asked (decision 52): a row
error on `subscribed`, counted in `not_subscribed`.

`user_id` fills in a contact's shop account where it has none; a contact linked to another keeps
its own (the account decides whose points and referrals its export and erasure reach, decision
55): a row error on `user_id`, the row's other cells applied.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import Field, field_validator

from marketing.audience.models.contacts import Email, LifecycleStage, Tags
from marketing.models import ApiInput, ApiModel

MAX_ROWS = 100_000
MAX_BYTES = 50 * 1024 * 1024
MAX_ROW_ERRORS = 100  # kept on the import; the rest are counted
CONSENT_COLUMNS = ("consent_method", "consent_source", "consent_date")
COLUMNS = ("email", "first_name", "last_name", "user_id", "lifecycle_stage", "tags", "subscribed", *CONSENT_COLUMNS)
_YES, _NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


class ImportStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class ImportConsent(ApiInput):
    """How the people of an import (or a row) agreed to receive marketing email: the consent log
    records it with their subscription."""

    method: str = Field(min_length=1, max_length=200, description="How they agreed, e.g. 'newsletter box at checkout'")
    source: str | None = Field(default=None, max_length=500, description="Where: a form's URL, a list's name, an event")
    collected_on: date | None = Field(default=None, description="When it was collected")

    def describe(self) -> str:
        collected = self.collected_on and f"collected {self.collected_on}"
        return "; ".join(part for part in (self.method, self.source, collected) if part)


class ImportCreate(ApiInput):
    filename: str = Field(default="contacts.csv", max_length=200, description="For your reference only")
    consent: ImportConsent | None = Field(
        default=None,
        description="How every row's person consented, where the row does not say (consent_method column). "
        "Without either, `subscribed` yes rows are imported as contacts, not subscribed.",
    )


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
    awaiting_confirmation: int = Field(
        default=0,
        description="Rows to subscribe that wait for their owner's confirmation (no consent stated, or "
        "the double opt-in policy asks for one)",
    )
    confirmations_sent: int = Field(default=0, description="Confirmation (re-permission) emails sent for them so far")
    not_subscribed: int = Field(
        default=0,
        description="Rows to subscribe that were refused, each also a row error on `subscribed` (the errors "
        "list keeps only the first few): the address unsubscribed, bounced, complained or is on the "
        "do-not-email list, so it is neither subscribed nor asked to confirm",
    )


class ContactImport(ApiModel):
    id: str
    filename: str
    status: ImportStatus
    upload: Upload | None = Field(default=None, description="Present until the file has arrived")
    counts: ImportCounts
    errors: list[RowError] = Field(description=f"The first {MAX_ROW_ERRORS} rejected rows and why")
    ignored_columns: list[str] = Field(default_factory=list)
    consent: ImportConsent | None = None
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
    consent: "ImportConsent | None"  # the import's, for rows that state none


class ImportRow(ApiInput):
    """One CSV row: its non-blank cells, by column name."""

    email: Email
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    user_id: str | None = Field(default=None, max_length=128)
    lifecycle_stage: LifecycleStage | None = None
    tags: Tags | None = None
    subscribed: bool | None = None
    consent_method: str | None = Field(default=None, max_length=200)
    consent_source: str | None = Field(default=None, max_length=500)
    consent_date: date | None = None

    def consent(self, default: ImportConsent | None) -> ImportConsent | None:
        """The row's stated consent, else the import's."""
        if self.consent_method is None:
            return default
        return ImportConsent(method=self.consent_method, source=self.consent_source, collected_on=self.consent_date)

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
