"""Bulk contact imports (the format is in marketing.audience.models.imports).

Staff create an import and get a pre-signed URL; the upload's S3 notification starts the worker.
The worker reads the file from where the last chunk ended, applies up to CHUNK_ROWS rows (or
CHUNK_SECONDS of work), commits the chunk's counts with the offset it reached, and queues the
next chunk: progress is visible while it runs, no Lambda runs long, and a redelivered message
commits nothing twice. A chunk that fails part-way is redone from its start; rows it had already
applied then count as unchanged rather than created.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError
from pydantic import ValidationError

from marketing import clock
from marketing.audience.models.consents import ConsentContext, ConsentMethod
from marketing.audience.models.contacts import Contact
from marketing.audience.models.imports import (
    COLUMNS,
    CONSENT_COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    ContactImport,
    ImportConsent,
    ImportCounts,
    ImportCreate,
    ImportProgress,
    ImportRow,
    ImportStatus,
    RowError,
    Upload,
)
from marketing.audience.models.subscribers import SUPPRESSED, SubscriberSource, SubscriberStatus
from marketing.audience.services import contacts, do_not_email, signups, subscribers
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import import_confirmations as confirmations
from marketing.audience.store import imports as store
from marketing.audience.store.import_confirmations import ImportConfirmation
from marketing.aws import clients, messaging
from marketing.catalog.topology import CONTACT_IMPORTS, IMPORTS_BUCKET_ENV, IMPORTS_PREFIX, resource
from marketing.clock import Deadline
from marketing.config import DoubleOptIn, OptInSettings, load_settings
from marketing.errors import BusinessRuleViolation, Conflict, NotFound, Unprocessable
from marketing.ids import new_id
from marketing.observability import logger

UPLOAD_TTL = timedelta(hours=1)
CHUNK_ROWS = 2000
CHUNK_SECONDS = 60


def _s3() -> Any:
    return clients.client("s3")


def _key(import_id: str) -> str:
    return f"{IMPORTS_PREFIX}{import_id}.csv"


def create(request: ImportCreate) -> ContactImport:
    import_id, now = new_id("imp"), clock.utcnow()
    url = _s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": resource(IMPORTS_BUCKET_ENV), "Key": _key(import_id)},
        ExpiresIn=int(UPLOAD_TTL.total_seconds()),
    )
    upload = Upload(url=url, expires_at=now + UPLOAD_TTL)
    return store.create(import_id, request.filename, request.consent, upload, now)


def get(import_id: str) -> ContactImport:
    return store.get(import_id)


# --- the worker ------------------------------------------------------------------------------------
class UploadedFile(NamedTuple):
    key: str
    size: int


class ImportWork(NamedTuple):
    """A message of the imports queue: files S3 says were uploaded (none: S3's test event, sent
    when the bucket notification was configured), or the next chunk of a running import."""

    uploaded: tuple[UploadedFile, ...] = ()
    next_chunk_of: str | None = None
    confirmations_of: str | None = None  # an import whose waiting rows get their confirmation emails
    everyone: bool = False  # all of them (staff asked), or only those with a stated consent


def parse(body: str) -> ImportWork:
    """An upload notification from S3, or the next chunk of an import; Unprocessable otherwise."""
    try:
        message = json.loads(body)
        if "confirm" in message:
            return ImportWork(confirmations_of=str(message["import_id"]), everyone=message["confirm"] == EVERYONE)
        if "import_id" in message:
            return ImportWork(next_chunk_of=str(message["import_id"]))
        if message.get("Event") == "s3:TestEvent":
            return ImportWork()
        uploaded = tuple(
            UploadedFile(unquote_plus(record["s3"]["object"]["key"]), int(record["s3"]["object"].get("size", 0)))
            for record in message["Records"]
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Unprocessable(f'expected an S3 notification or {{"import_id": "..."}}: {error!r}') from error
    return ImportWork(uploaded=uploaded)


def handle(work: ImportWork, deadline: Deadline) -> str:
    if work.confirmations_of is not None:
        return _ask_confirmations(work.confirmations_of, work.everyone, deadline)
    if work.next_chunk_of is not None:
        return _next_chunk(work.next_chunk_of)
    if not work.uploaded:
        return "S3 test event (sent when the bucket notification was configured)"
    return "; ".join(_uploaded(upload) for upload in work.uploaded)


def _uploaded(upload: UploadedFile) -> str:
    key = upload.key
    import_id = key.removeprefix(IMPORTS_PREFIX).removesuffix(".csv")
    try:
        started = store.start(import_id, clock.utcnow())
    except store.NotDue:
        return f"import {import_id} already started"
    except NotFound:
        return f"{key} belongs to no import; ignored"
    if upload.size > MAX_BYTES:
        store.fail(import_id, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", clock.utcnow())
        return f"import {import_id} refused: file too large"
    return _process(started)


def _next_chunk(import_id: str) -> str:
    try:
        return _process(store.progress(import_id))
    except NotFound:
        return f"import {import_id} is gone"


@dataclass
class _Position:
    offset: int


def _lines(stream: Any, position: _Position) -> Iterator[str]:
    """The file's lines, each counted into `position` as it is handed out (csv reads no further
    than the record it returns, so the offset is always at a record's end)."""
    pending = b""
    for chunk in stream.iter_chunks(64 * 1024):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            position.offset += len(line) + 1
            yield (line + b"\n").decode()
    if pending:
        position.offset += len(pending)
        yield pending.decode()


def _open_at(import_id: str, offset: int) -> Any | None:
    try:
        return _s3().get_object(Bucket=resource(IMPORTS_BUCKET_ENV), Key=_key(import_id), Range=f"bytes={offset}-")[
            "Body"
        ]
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidRange":  # the last chunk ended at the end of the file
            return None
        raise


def _process(record: ImportProgress) -> str:
    import_id = record.id
    if record.status != ImportStatus.PROCESSING:
        return f"import {import_id} is {record.status.value}; nothing to do"
    stream = _open_at(import_id, record.next_offset)
    position = _Position(record.next_offset)
    reader = csv.reader(_lines(stream, position)) if stream is not None else iter(())
    columns, ignored = record.columns, record.ignored_columns
    try:
        if columns is None:
            header = next(reader, None)
            columns = [name.strip().lstrip("\ufeff").lower() for name in header or []]
            if "email" not in columns:
                store.fail(import_id, "the first row must name the columns, one of them email", clock.utcnow())
                return f"import {import_id} failed: no email column"
            ignored = [name for name in columns if name not in COLUMNS]
        counts, errors, row_number = ImportCounts(), [], record.next_row
        started, finished = time.monotonic(), True
        confirmation_asked = _confirmation_asked()  # read once a chunk, not once a row
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                row_number += 1
                continue
            if record.rows + counts.rows >= MAX_ROWS:
                store.fail(import_id, f"more than {MAX_ROWS} rows: split the file", clock.utcnow())
                return f"import {import_id} failed: too many rows"
            _apply_row(record, row_number, dict(zip(columns, cells, strict=False)), counts, errors, confirmation_asked)
            row_number += 1
            if counts.rows >= CHUNK_ROWS or time.monotonic() - started > CHUNK_SECONDS:
                finished = False
                break
    except UnicodeDecodeError:
        store.fail(import_id, "the file is not UTF-8 text", clock.utcnow())
        return f"import {import_id} failed: not UTF-8"
    except csv.Error as error:
        store.fail(import_id, f"row {row_number}: not valid CSV ({error})", clock.utcnow())
        return f"import {import_id} failed: bad CSV"
    try:
        store.commit_chunk(
            record,
            next_offset=position.offset,
            next_row=row_number,
            counts=counts,
            errors=errors,
            columns=columns,
            ignored_columns=ignored,
            done=finished,
            now=clock.utcnow(),
        )
    except store.NotDue:
        return f"import {import_id}: chunk already committed by an earlier delivery"
    if not finished:
        messaging.send(CONTACT_IMPORTS, {"import_id": import_id})
        return f"import {import_id}: {counts.rows} rows, continuing at byte {position.offset}"
    if confirmation_asked:  # the rows with a stated consent get their confirmation emails now
        messaging.send(CONTACT_IMPORTS, {"import_id": import_id, "confirm": STATED})
    return f"import {import_id} completed"


def _confirmation_asked() -> bool:
    """Whether the double opt-in policy asks imported opt-ins to confirm: an import proves no one
    owns their address, so `unverified_only` asks as `always` does."""
    return load_settings(OptInSettings).imports != DoubleOptIn.NEVER


def _apply_row(
    record: ImportProgress,
    row_number: int,
    cells: dict[str, str],
    counts: ImportCounts,
    errors: list[RowError],
    confirmation_asked: bool,
) -> None:
    counts.rows += 1
    try:
        row = ImportRow.model_validate(
            {name: value for name, value in cells.items() if name in COLUMNS and value.strip()}
        )
    except ValidationError as invalid:
        counts.rejected += 1
        for problem in invalid.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "row"
            errors.append(RowError(row=row_number, field=field, reason=problem["msg"].removeprefix("Value error, ")))
        return
    changes = row.model_dump(exclude={"email", "subscribed", *CONSENT_COLUMNS}, exclude_none=True)
    contact, outcome = contacts.upsert(row.email, changes, add_tags=True, keep_user=True)
    setattr(counts, outcome.value, getattr(counts, outcome.value) + 1)
    if row.user_id is not None and contact.user_id != row.user_id:
        errors.append(RowError(row=row_number, field="user_id", reason=USER_KEPT))
    if not row.subscribed:
        return
    consent = row.consent(record.consent)
    if consent is None or confirmation_asked:
        refusal = _why_not_asked(contact)
        if refusal is not None:
            _not_subscribed(row_number, refusal, counts, errors)
            return
        confirmations.add(ImportConfirmation(record.id, contact.id, row_number, consent), clock.utcnow())
        counts.awaiting_confirmation += 1
        if consent is None:
            errors.append(RowError(row=row_number, field="subscribed", reason=NO_CONSENT))
        return
    try:
        subscribers.subscribe_contact(
            contact, SubscriberSource.IMPORT, None, _consent_context(record.id, row_number, consent)
        )
    except BusinessRuleViolation as refused:
        _not_subscribed(row_number, refused.message, counts, errors)


def _not_subscribed(row_number: int, reason: str, counts: ImportCounts, errors: list[RowError]) -> None:
    """A row refused a subscription: counted, since the errors list keeps only the first few."""
    counts.not_subscribed += 1
    errors.append(RowError(row=row_number, field="subscribed", reason=f"not subscribed: {reason}"))


def _why_not_asked(contact: Contact) -> str | None:
    """Why the contact's owner may not be asked to confirm a subscription, if they may not. A
    request for consent is marketing too, so an opt-out sticks against it (decision 52), as a
    suppression and the do-not-email list do; an address that never subscribed may be asked."""
    status = contact.subscription_status
    if status == SubscriberStatus.UNSUBSCRIBED:
        return f"{contact.email} unsubscribed; only the person can subscribe again"
    if status in SUPPRESSED:
        return f"{contact.email} is suppressed ({status.value}); it cannot be subscribed again"
    listed = do_not_email.check(contact.email)
    return listed.refusal() if listed is not None else None


NO_CONSENT = (
    "not subscribed: no consent stated (a consent_method column, or the import's consent); imported as a contact "
    "who can be asked to confirm (POST contacts/imports/{id}/confirmations/)"
)
USER_KEPT = (
    "not changed: the contact is linked to another shop account, whose points and referrals its export and "
    "erasure reach (read-only once set); the row's other cells were applied"
)
STATED, EVERYONE = "stated", "everyone"
CONFIRMATIONS_PER_ROUND = 50


def _consent_context(import_id: str, row_number: int, consent: ImportConsent | None) -> ConsentContext:
    stated = f": {consent.describe()}" if consent else ": no consent stated"
    return ConsentContext(ConsentMethod.IMPORT, f"import:{import_id}", f"import {import_id}, row {row_number}{stated}")


def ask_confirmations(import_id: str) -> ContactImport:
    """Staff ask every row of a completed import that waits for a confirmation to confirm (a
    re-permission email each, once); the worker sends them. A Conflict before it has completed."""
    contact_import = store.get(import_id)
    if contact_import.status != ImportStatus.COMPLETED:
        raise Conflict(f"import {import_id} is {contact_import.status.value}: ask for confirmations once it completed")
    messaging.send(CONTACT_IMPORTS, {"import_id": import_id, "confirm": EVERYONE})
    return contact_import


def _ask_confirmations(import_id: str, everyone: bool, deadline: Deadline) -> str:
    """Emails the waiting rows their confirmation link, a round at a time, the next round queued
    while some remain. A row's email goes once (its signup id is made from the import and contact);
    SES throttling leaves the row for the message's next delivery."""
    sent = 0
    try:
        while deadline.seconds_left() > 30:
            waiting = confirmations.not_asked(import_id, stated_only=not everyone, limit=CONFIRMATIONS_PER_ROUND)
            if not waiting:
                return f"import {import_id}: {sent} confirmation email(s) sent; none left"
            for row in waiting:
                if _ask(import_id, row):
                    sent += 1
                confirmations.mark_asked(row, clock.utcnow())  # done, or not to be asked: never again
        messaging.send(CONTACT_IMPORTS, {"import_id": import_id, "confirm": EVERYONE if everyone else STATED})
        return f"import {import_id}: {sent} confirmation email(s) sent; continuing"
    finally:
        if sent:
            store.count_confirmations_sent(import_id, sent)


def _ask(import_id: str, row: ImportConfirmation) -> bool:
    """Emails one waiting row its confirmation link; False, and nothing sent, if its contact was
    erased since, or its owner may no longer be asked: they may have opted out (or bounced) between
    the import and staff asking."""
    contact = contact_store.find(row.contact_id)
    if contact is None:
        return False
    if _why_not_asked(contact) is not None:
        logger.info("import confirmation not asked: opted out, suppressed or do-not-email", contact_id=contact.id)
        return False
    return signups.request_confirmation(
        contact.email,
        _consent_context(import_id, row.row, row.consent),
        first_name=contact.first_name,
        last_name=contact.last_name,
        user_id=contact.user_id,
        made_for=f"import:{import_id}:{row.contact_id}",
        retry_later=True,
    )
