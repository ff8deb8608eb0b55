"""Contact imports: the only code that knows how they are stored.

The worker reads the file a chunk at a time and commits each chunk's counts together with the
byte offset where the next chunk starts, on the condition that the offset is still where the
chunk began: a redelivered chunk message then commits nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from marketing.audience.models.imports import (
    MAX_ROW_ERRORS,
    ContactImport,
    ImportConsent,
    ImportCounts,
    ImportProgress,
    ImportStatus,
    RowError,
    Upload,
)
from marketing.errors import Conflict
from marketing.store.conditions import get_or_not_found, on_condition_failure, update_unversioned
from marketing.store.table_meta import TableMeta


class NotDue(Conflict):
    """The import is not in the state this step needs (a duplicate or late message)."""


class ImportRecord(Model):
    class Meta(TableMeta):
        table_env = "CONTACT_IMPORTS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    filename = UnicodeAttribute()
    status = UnicodeAttribute()
    upload_url = UnicodeAttribute(null=True)
    upload_expires_at = UTCDateTimeAttribute(null=True)
    columns = ListAttribute(of=UnicodeAttribute, null=True)
    ignored_columns = ListAttribute(of=UnicodeAttribute, default=list)
    next_offset = NumberAttribute(default=0)
    next_row = NumberAttribute(default=2)
    rows = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    unchanged = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    awaiting_confirmation = NumberAttribute(default=0)
    confirmations_sent = NumberAttribute(default=0)
    not_subscribed = NumberAttribute(default=0)
    consent = JSONAttribute(null=True)  # the import's ImportConsent
    errors = JSONAttribute(default=list)
    failure_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)

    def progress(self) -> ImportProgress:
        return ImportProgress(
            id=self.id,
            status=ImportStatus(self.status),
            next_offset=int(self.next_offset),
            next_row=int(self.next_row),
            rows=int(self.rows),
            columns=list(self.columns) if self.columns is not None else None,
            ignored_columns=list(self.ignored_columns or []),
            errors=list(self.errors or []),
            consent=self._consent(),
        )

    def _consent(self) -> ImportConsent | None:
        return ImportConsent.model_validate(self.consent) if self.consent else None

    def to_domain(self) -> ContactImport:
        status = ImportStatus(self.status)
        upload = None
        if status == ImportStatus.AWAITING_UPLOAD and self.upload_url:
            upload = Upload(url=self.upload_url, expires_at=self.upload_expires_at)
        return ContactImport(
            id=self.id,
            filename=self.filename,
            status=status,
            upload=upload,
            counts=ImportCounts(
                rows=int(self.rows),
                created=int(self.created),
                updated=int(self.updated),
                unchanged=int(self.unchanged),
                rejected=int(self.rejected),
                awaiting_confirmation=int(self.awaiting_confirmation or 0),
                confirmations_sent=int(self.confirmations_sent or 0),
                not_subscribed=int(self.not_subscribed or 0),
            ),
            errors=[RowError(**error) for error in self.errors or []],
            ignored_columns=list(self.ignored_columns or []),
            consent=self._consent(),
            failure_reason=self.failure_reason,
            created_at=self.created_at,
            started_at=self.started_at,
            completed_at=self.completed_at,
        )


def create(
    import_id: str, filename: str, consent: ImportConsent | None, upload: Upload, now: datetime
) -> ContactImport:
    record = ImportRecord(
        import_id,
        filename=filename,
        consent=consent.model_dump(mode="json") if consent else None,
        status=ImportStatus.AWAITING_UPLOAD.value,
        upload_url=upload.url,
        upload_expires_at=upload.expires_at,
        created_at=now,
    )
    with on_condition_failure(Conflict(f"import {import_id} exists")):
        record.save(condition=ImportRecord.id.does_not_exist())
    return record.to_domain()


def _record(import_id: str) -> ImportRecord:
    return get_or_not_found(ImportRecord, import_id, "import")


def get(import_id: str) -> ContactImport:
    return _record(import_id).to_domain()


def progress(import_id: str) -> ImportProgress:
    return _record(import_id).progress()


def start(import_id: str, now: datetime) -> ImportProgress:
    """The file arrived: processing starts. NotDue if it already has (a repeated notification)."""
    return update_unversioned(
        ImportRecord,
        import_id,
        [
            ImportRecord.status.set(ImportStatus.PROCESSING.value),
            ImportRecord.started_at.set(now),
            ImportRecord.upload_url.remove(),
        ],
        ImportRecord.status == ImportStatus.AWAITING_UPLOAD.value,
        NotDue(f"import {import_id} has already started"),
    ).progress()


def commit_chunk(
    current: ImportProgress,
    *,
    next_offset: int,
    next_row: int,
    counts: ImportCounts,
    errors: list[RowError],
    columns: list[str],
    ignored_columns: list[str],
    done: bool,
    now: datetime,
) -> None:
    """Adds one chunk's outcome; NotDue if that chunk was committed already."""
    kept = current.errors + [error.model_dump() for error in errors]
    actions = [
        ImportRecord.next_offset.set(next_offset),
        ImportRecord.next_row.set(next_row),
        ImportRecord.columns.set(columns),
        ImportRecord.ignored_columns.set(ignored_columns),
        ImportRecord.errors.set(kept[:MAX_ROW_ERRORS]),
    ]
    actions += [getattr(ImportRecord, name).add(value) for name, value in counts.model_dump().items() if value]
    if done:
        actions += [ImportRecord.status.set(ImportStatus.COMPLETED.value), ImportRecord.completed_at.set(now)]
    update_unversioned(
        ImportRecord,
        current.id,
        actions,
        (ImportRecord.next_offset == current.next_offset) & (ImportRecord.status == ImportStatus.PROCESSING.value),
        NotDue(f"import {current.id}: the chunk at byte {current.next_offset} was already committed"),
    )


def fail(import_id: str, reason: str, now: datetime) -> None:
    update_unversioned(
        ImportRecord,
        import_id,
        [
            ImportRecord.status.set(ImportStatus.FAILED.value),
            ImportRecord.failure_reason.set(reason),
            ImportRecord.completed_at.set(now),
        ],
        ImportRecord.id.exists(),
        Conflict(f"import {import_id} not found"),
    )


def count_confirmations_sent(import_id: str, sent: int) -> None:
    update_unversioned(
        ImportRecord,
        import_id,
        [ImportRecord.confirmations_sent.add(sent)],
        ImportRecord.id.exists(),
        Conflict(f"import {import_id} not found"),
    )
