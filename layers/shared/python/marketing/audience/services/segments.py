"""Segment rules.

- Static segments are edited: `contact_ids` at creation, then `add_contact_ids` /
  `remove_contact_ids`; unknown contacts are refused before anything is written.
- Dynamic segments are computed: creating one, changing its criteria, `POST refresh/` and the
  daily schedule all queue a refresh; a refresh scans the contacts once, writes the members as a
  new generation and then switches to it (docs/decisions.md, "Segment evaluation").
- The scan is split into parts (DynamoDB parallel-scan segments), one message each on the refresh
  queue, so as many worker invocations evaluate them side by side (decision 90). Each part writes
  its matches under the run's generation and is counted once; the part counted last finishes the
  run. A part short of time hands the rest of its scan on from where it stopped.
- A burst of refresh requests queues one refresh; a refresh whose worker died is taken over
  once its lease has run out.
"""

from __future__ import annotations

import math
from datetime import timedelta
from functools import cache
from typing import Any

from pydantic import Field

from marketing import clock, pagination
from marketing.audience.models.contact_requests import ContactPage
from marketing.audience.models.segments import (
    AllOf,
    AnyOf,
    Conditions,
    RefreshRequest,
    RefreshRun,
    RefreshStatus,
    ScanPart,
    Segment,
    SegmentCreate,
    SegmentPage,
    SegmentPatch,
    SegmentType,
    parse_criteria,
)
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import segments as store
from marketing.aws import messaging
from marketing.campaigns.store.capacity import ScanCost
from marketing.catalog.topology import SEGMENT_REFRESH
from marketing.clock import NO_DEADLINE, Deadline
from marketing.config import BaseSettings, load_settings
from marketing.errors import NotFound, ValidationFailed
from marketing.ids import new_id
from marketing.observability import logger, metrics

# Longer than the refresh worker's timeout: a refresh whose last part started longer ago than this
# died and may be taken over.
REFRESH_LEASE = timedelta(minutes=20)
# A part with less time than this left hands the rest of its scan on (a page takes well under 1 s).
PART_CONTINUE_SECONDS = 60


class ScanSettings(BaseSettings):
    """How many parts a refresh's scan is split into: one per `contacts_per_part` contacts that the
    segment's last refresh scanned, at most `max_parts`; `first_parts` before a first refresh."""

    contacts_per_part: int = Field(default=25_000, alias="SEGMENT_CONTACTS_PER_PART", ge=1)
    max_parts: int = Field(default=32, alias="SEGMENT_MAX_SCAN_PARTS", ge=1, le=1000)
    first_parts: int = Field(default=4, alias="SEGMENT_FIRST_SCAN_PARTS", ge=1, le=1000)

    def parts_for(self, contacts: int | None) -> int:
        if contacts is None:
            return min(self.first_parts, self.max_parts)
        return max(1, min(self.max_parts, math.ceil(contacts / self.contacts_per_part)))


@cache
def scan_settings() -> ScanSettings:
    return load_settings(ScanSettings)


def _stored(criteria: AllOf | AnyOf | Conditions) -> dict[str, Any]:
    return criteria.model_dump(mode="json", exclude_none=True)


def create(request: SegmentCreate) -> Segment:
    now = clock.utcnow()
    segment = store.create(
        Segment(
            id=new_id("seg"),
            name=request.name,
            description=request.description,
            type=request.type,
            criteria=_stored(request.criteria) if request.criteria is not None else None,
            contact_count=0,
            refreshed_at=None,
            refresh_status=RefreshStatus.IDLE,
            created_at=now,
            updated_at=now,
        )
    )
    if request.contact_ids:
        return _add_members(segment.id, request.contact_ids, "contact_ids")
    if segment.type == SegmentType.DYNAMIC:
        return request_refresh(segment.id)
    return segment


def get(segment_id: str) -> Segment:
    return store.get(segment_id)


def list_page(limit: int | None, cursor: str | None) -> SegmentPage:
    items, last_key = store.list_page(pagination.page_size(limit), pagination.decode_cursor(cursor, "segments"))
    return SegmentPage(items=items, next=pagination.encode_cursor(last_key, "segments"))


def update(segment_id: str, patch: SegmentPatch) -> Segment:
    segment = store.get(segment_id)
    changes = patch.model_dump(include={"name", "description"}, exclude_none=True)
    if segment.type == SegmentType.STATIC and patch.criteria is not None:
        raise ValidationFailed.field("criteria", "a static segment has members, not criteria")
    if segment.type == SegmentType.DYNAMIC and (patch.add_contact_ids or patch.remove_contact_ids):
        field = "add_contact_ids" if patch.add_contact_ids else "remove_contact_ids"
        raise ValidationFailed.field(field, "a dynamic segment's members come from its criteria")
    criteria_changed = patch.criteria is not None and _stored(patch.criteria) != segment.criteria
    if criteria_changed:
        changes["criteria"] = _stored(patch.criteria)
    if changes:
        segment = store.update(segment_id, changes, clock.utcnow())
    if patch.add_contact_ids:
        segment = _add_members(segment_id, patch.add_contact_ids, "add_contact_ids")
    if patch.remove_contact_ids:
        present = store.existing_members(segment_id, list(dict.fromkeys(patch.remove_contact_ids)))
        store.remove_members(segment_id, present)
        segment = store.add_to_count(segment_id, -len(present), clock.utcnow())
    return request_refresh(segment_id) if criteria_changed else segment


def _add_members(segment_id: str, contact_ids: list[str], field: str) -> Segment:
    wanted = list(dict.fromkeys(contact_ids))
    known = {contact.id for contact in contact_store.batch_get(wanted)}
    unknown = [contact_id for contact_id in wanted if contact_id not in known]
    if unknown:
        raise ValidationFailed.field(field, f"no such contacts: {', '.join(unknown[:10])}")
    already = store.existing_members(segment_id, wanted)
    new = [contact_id for contact_id in wanted if contact_id not in already]
    store.write_members(segment_id, new, generation=0)
    return store.add_to_count(segment_id, len(new), clock.utcnow())


def delete(segment_id: str) -> None:
    store.delete(segment_id)


def members(segment_id: str, limit: int | None, cursor: str | None) -> ContactPage:
    start_key = pagination.decode_cursor(cursor, "segment-members", segment=segment_id)
    ids, last_key = store.member_page(
        segment_id, store.generation_of(segment_id), pagination.page_size(limit), start_key
    )
    next_cursor = pagination.encode_cursor(last_key, "segment-members", segment=segment_id)
    return ContactPage(items=contact_store.batch_get(ids), next=next_cursor)


# --- refresh ---------------------------------------------------------------------------------------
def request_refresh(segment_id: str) -> Segment:
    """Queues a refresh (one message, however many ask at once); returns the segment as it is."""
    now = clock.utcnow()
    try:
        segment = store.mark_queued(segment_id, now, stale_before=now - REFRESH_LEASE)
    except store.RefreshNotDue:
        return store.get(segment_id)
    messaging.send(SEGMENT_REFRESH, RefreshRequest(segment_id=segment_id).model_dump())
    return segment


def request_all_dynamic() -> int:
    """The daily schedule: one refresh message per dynamic segment, so each runs on its own."""
    queued = 0
    for segment_id in store.dynamic_segment_ids():
        request_refresh(segment_id)
        queued += 1
    return queued


def refresh(segment_id: str) -> str:
    """Runs a queued refresh (the worker): a static segment is counted; a dynamic one's scan is
    handed out in parts, one message each. Returns what it did."""
    now = clock.utcnow()
    try:
        parts = scan_settings().parts_for(store.contacts_scanned(segment_id))
        run = store.claim_refresh(segment_id, now, stale_before=now - REFRESH_LEASE, parts=parts)
    except store.RefreshNotDue:
        return "no refresh waiting (already done or running)"
    except NotFound:
        return "segment deleted"
    try:
        if run.type == SegmentType.STATIC:
            count = store.count_members(segment_id)
            store.finish_refresh(segment_id, run, 0, count, clock.utcnow())
            return f"segment refreshed: {count} members"
        messaging.send_batch(
            SEGMENT_REFRESH,
            (
                RefreshRequest(
                    segment_id=segment_id,
                    part=ScanPart(generation=run.generation, index=index, of=run.parts, criteria=run.criteria),
                ).model_dump(mode="json", exclude_defaults=True)
                for index in range(run.parts)
            ),
        )
    except Exception as error:
        store.fail_refresh(segment_id, f"{type(error).__name__}: {error}")
        raise
    logger.info("segment refresh handed out", segment_id=segment_id, generation=run.generation, parts=run.parts)
    return f"segment refresh started: {run.parts} parts"


def evaluate_part(segment_id: str, part: ScanPart, deadline: Deadline = NO_DEADLINE) -> str:
    """Evaluates one part of a refresh (the worker): its matches are written under the run's
    generation, then it is counted, once; the last part counted finishes the run. A part short of
    time queues the rest of its scan. A part that fails leaves the refresh queued with the error
    until the run is finished (SQS delivers the part again; the other parts go on)."""
    try:
        run = store.start_part(segment_id, part.generation, clock.utcnow())
    except (store.RefreshNotDue, NotFound):
        return _after_the_run(segment_id, part)
    if part.index in run.parts_done:  # a redelivery: finishing the run may be all that is left
        return _finish_if_complete(run, f"part {part.index} counted already")
    try:
        counted = _scan(run, part, deadline)
        if counted is None:
            return f"segment {segment_id}: part {part.index} of {part.of} goes on in a new message"
        return _finish_if_complete(counted, f"part {part.index} of {part.of} counted")
    except store.PartCounted:
        return f"segment {segment_id}: part {part.index} counted by another delivery"
    except store.RefreshNotDue:  # another run took its place while it scanned: it writes no more
        return _after_the_run(segment_id, part)
    except Exception as error:
        store.fail_refresh(segment_id, f"{type(error).__name__}: {error}", generation=part.generation)
        raise


def _scan(run: RefreshRun, part: ScanPart, deadline: Deadline) -> RefreshRun | None:
    """Scans the part from its checkpoint, writing each page's matches; the run after counting the
    part, or None if the part ran short of time and queued the rest of its scan."""
    criteria = parse_criteria(part.criteria if part.criteria is not None else run.criteria)
    cost, matched = ScanCost(), part.matched
    for contacts, next_key in contact_store.scan_facts(cost, part.index, part.of, part.start_key):
        found = [contact.id for contact in contacts if criteria.matches(contact)]
        # Still the segment's run (RefreshNotDue if not), and its lease renewed, before each page's writes.
        store.start_part(run.segment_id, run.generation, clock.utcnow())
        store.write_members(run.segment_id, found, run.generation)
        matched += len(found)
        if next_key and deadline.seconds_left() < PART_CONTINUE_SECONDS:
            scanned = part.scanned + cost.items
            rest = part.model_copy(update={"start_key": next_key, "matched": matched, "scanned": scanned})
            message = RefreshRequest(segment_id=run.segment_id, part=rest)
            messaging.send(SEGMENT_REFRESH, message.model_dump(mode="json"))
            _log_scan(run, part, cost)
            return None
    _log_scan(run, part, cost)
    return store.count_part(run.segment_id, run.generation, part.index, matched, part.scanned + cost.items)


def _log_scan(run: RefreshRun, part: ScanPart, cost: ScanCost) -> None:
    metrics.add_metric(name="SegmentContactsScanned", unit="Count", value=cost.items)
    logger.info(
        "segment part scanned",
        segment_id=run.segment_id,
        part=part.index,
        parts=part.of,
        contacts_scanned=cost.items,
        read_units=cost.read_units,
        read_units_per_contact=round(cost.per_item(), 4),
    )


def _after_the_run(segment_id: str, part: ScanPart) -> str:
    """A part of a run that is over: if its run was the one finished, the older members are dropped
    (again: the delivery that finished it may have failed before it dropped them all)."""
    if store.generation_of(segment_id) != part.generation:
        return f"segment {segment_id}: part {part.index} belongs to a refresh that another took over"
    store.drop_older_members(segment_id, part.generation)
    return f"segment {segment_id}: part {part.index} belongs to a refresh that is finished"


def _finish_if_complete(run: RefreshRun, done: str) -> str:
    """The part counted last makes the run's generation current and drops the older members."""
    if not run.complete:
        return f"segment {run.segment_id}: {done}, {len(run.parts_done)} of {run.parts} parts"
    try:
        store.finish_refresh(run.segment_id, run, run.generation, run.matched, clock.utcnow())
    except store.RefreshNotDue:
        return _after_the_run(run.segment_id, ScanPart(generation=run.generation, index=0, of=run.parts))
    store.drop_older_members(run.segment_id, run.generation)
    logger.info("segment evaluated", segment_id=run.segment_id, members=run.matched, contacts_scanned=run.scanned)
    return f"segment refreshed: {run.matched} members"
