"""Segments and their members: the only code that knows how they are stored.

`segments` holds one item per segment. `segment_members` holds one item per (segment, contact)
with the refresh generation that wrote it; a refresh writes generation n+1 for every match,
then makes n+1 current on the segment, then deletes what is older. Readers ask for members of the
current generation or newer, so they see the old list until the switch and the new one after it,
never an empty or half-built list. Static segments keep generation 0.

A refresh run is split into parts (DynamoDB parallel-scan segments), each evaluated by its own
worker invocation: the segment item holds the run's generation (`refresh_generation`), its number
of parts, the parts counted so far (a number set) and their matches. A part is counted with one
conditional update (its index not yet in the set, the run still the same), so a redelivered part
counts once; the update that completes the set tells its part to finish the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from marketing.audience.models.segments import RefreshRun, RefreshStatus, Segment, SegmentType
from marketing.errors import Conflict, NotFound
from marketing.store.conditions import applied, get_or_not_found, on_condition_failure, update_unversioned
from marketing.store.listing import NewestFirstIndex, newest_first_page
from marketing.store.table_meta import TableMeta

LISTING_PARTITION = "segment"


class SegmentRecord(Model):
    class Meta(TableMeta):
        table_env = "SEGMENTS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING_PARTITION)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    type = UnicodeAttribute()
    criteria = JSONAttribute(null=True)
    contact_count = NumberAttribute(default=0)
    generation = NumberAttribute(default=0)
    refreshed_at = UTCDateTimeAttribute(null=True)
    refresh_status = UnicodeAttribute(default=RefreshStatus.IDLE.value)
    refresh_requested_at = UTCDateTimeAttribute(null=True)
    refresh_started_at = UTCDateTimeAttribute(null=True)
    refresh_error = UnicodeAttribute(null=True)
    # The run under way (or the last one): the generation it writes, its parts, what they counted.
    refresh_generation = NumberAttribute(null=True)
    refresh_parts = NumberAttribute(null=True)
    parts_done = NumberSetAttribute(null=True)
    refresh_matched = NumberAttribute(null=True)
    refresh_scanned = NumberAttribute(null=True)
    # What the last finished run scanned: the next run's number of parts is chosen from it.
    contacts_scanned = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_created = NewestFirstIndex()

    def to_domain(self) -> Segment:
        return Segment(
            id=self.id,
            name=self.name,
            description=self.description or "",
            type=SegmentType(self.type),
            criteria=self.criteria,
            contact_count=int(self.contact_count or 0),
            refreshed_at=self.refreshed_at,
            refresh_status=RefreshStatus(self.refresh_status),
            refresh_error=self.refresh_error,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

    def to_run(self) -> RefreshRun:
        return RefreshRun(
            segment_id=self.id,
            type=SegmentType(self.type),
            criteria=self.criteria,
            generation=int(self.refresh_generation or 0),
            parts=int(self.refresh_parts or 1),
            parts_done=frozenset(int(index) for index in self.parts_done or ()),
            matched=int(self.refresh_matched or 0),
            scanned=int(self.refresh_scanned or 0),
            status=RefreshStatus(self.refresh_status),
        )


class ByContactIndex(GlobalSecondaryIndex):
    """The segments a contact is in (export, erasure)."""

    class Meta:
        index_name = "by_contact"
        projection = KeysOnlyProjection()

    contact_id = UnicodeAttribute(hash_key=True)
    segment_id = UnicodeAttribute(range_key=True)


class SegmentMemberRecord(Model):
    class Meta(TableMeta):
        table_env = "SEGMENT_MEMBERS_TABLE"

    segment_id = UnicodeAttribute(hash_key=True)
    contact_id = UnicodeAttribute(range_key=True)
    generation = NumberAttribute(default=0)

    by_contact = ByContactIndex()


def _record(segment_id: str) -> SegmentRecord:
    return get_or_not_found(SegmentRecord, segment_id, "segment")


def create(segment: Segment) -> Segment:
    record = SegmentRecord(segment.id, **segment.model_dump(exclude={"id"}))
    with on_condition_failure(Conflict(f"segment {segment.id} already exists")):
        record.save(condition=SegmentRecord.id.does_not_exist())
    return record.to_domain()


def get(segment_id: str) -> Segment:
    return _record(segment_id).to_domain()


def update(segment_id: str, changes: dict[str, Any], updated_at: datetime) -> Segment:
    record = _record(segment_id)
    actions = [getattr(SegmentRecord, field).set(value) for field, value in changes.items()]
    actions.append(SegmentRecord.updated_at.set(updated_at))
    with on_condition_failure(Conflict(f"segment {segment_id} was changed by someone else; fetch it and retry")):
        record.update(actions=actions)
    return record.to_domain()


def delete(segment_id: str) -> None:
    with on_condition_failure(NotFound(f"segment {segment_id} not found")):
        SegmentRecord(segment_id).delete(condition=SegmentRecord.id.exists(), add_version_condition=False)
    _delete_members(SegmentMemberRecord.query(segment_id, attributes_to_get=["segment_id", "contact_id"]))


def list_page(limit: int, start_key: dict[str, Any] | None) -> tuple[list[Segment], dict[str, Any] | None]:
    return newest_first_page(SegmentRecord.by_created, LISTING_PARTITION, limit, start_key)


def dynamic_segment_ids() -> Iterator[str]:
    for record in SegmentRecord.by_created.query(
        LISTING_PARTITION, filter_condition=SegmentRecord.type == SegmentType.DYNAMIC.value
    ):
        yield record.id


# --- refresh bookkeeping ---------------------------------------------------------------------------
class RefreshNotDue(Conflict):
    """A refresh is already queued or running."""


def mark_queued(segment_id: str, now: datetime, stale_before: datetime) -> Segment:
    """Marks a refresh as asked for; RefreshNotDue if one is already queued or running (and not
    stale), so a burst of requests sends one message."""
    idle = SegmentRecord.refresh_status == RefreshStatus.IDLE.value
    # A request whose message was lost, or a run none of whose parts went on for a lease: a run's
    # parts renew its lease at every page, so a live run is never taken for stale.
    stale = (
        (SegmentRecord.refresh_status == RefreshStatus.QUEUED.value)
        & (SegmentRecord.refresh_requested_at < stale_before)
    ) | (
        (SegmentRecord.refresh_status == RefreshStatus.RUNNING.value)
        & (SegmentRecord.refresh_started_at < stale_before)
    )
    try:
        record = update_unversioned(
            SegmentRecord,
            segment_id,
            [
                SegmentRecord.refresh_status.set(RefreshStatus.QUEUED.value),
                SegmentRecord.refresh_requested_at.set(now),
                SegmentRecord.refresh_error.remove(),
            ],
            SegmentRecord.id.exists() & (idle | stale),
            RefreshNotDue(f"a refresh of segment {segment_id} is already on its way"),
        )
    except RefreshNotDue:
        _record(segment_id)  # NotFound if the segment is gone
        raise
    return record.to_domain()


class PartCounted(Conflict):
    """The part was counted already (a redelivery), or its run is over or was taken over."""


def contacts_scanned(segment_id: str) -> int | None:
    """How many contacts the last finished refresh scanned; None before the first."""
    scanned = _record(segment_id).contacts_scanned
    return None if scanned is None else int(scanned)


def claim_refresh(segment_id: str, now: datetime, stale_before: datetime, parts: int) -> RefreshRun:
    """Takes the queued refresh (or one whose worker died) as a new run of `parts` parts, with a
    generation of its own (parts of an older run no longer count); RefreshNotDue if there is none."""
    queued = SegmentRecord.refresh_status == RefreshStatus.QUEUED.value
    abandoned = (SegmentRecord.refresh_status == RefreshStatus.RUNNING.value) & (
        SegmentRecord.refresh_started_at < stale_before
    )
    return update_unversioned(
        SegmentRecord,
        segment_id,
        [
            SegmentRecord.refresh_status.set(RefreshStatus.RUNNING.value),
            SegmentRecord.refresh_started_at.set(now),
            SegmentRecord.refresh_generation.set((SegmentRecord.refresh_generation | SegmentRecord.generation) + 1),
            SegmentRecord.refresh_parts.set(parts),
            SegmentRecord.parts_done.remove(),
            SegmentRecord.refresh_matched.set(0),
            SegmentRecord.refresh_scanned.set(0),
        ],
        SegmentRecord.id.exists() & (queued | abandoned),
        RefreshNotDue(f"segment {segment_id} has no refresh waiting"),
    ).to_run()


def _run_is(generation: int):
    """The condition that `generation`'s run is the segment's and not finished."""
    return (SegmentRecord.refresh_generation == generation) & (SegmentRecord.refresh_status != RefreshStatus.IDLE.value)


def start_part(segment_id: str, generation: int, now: datetime) -> RefreshRun:
    """A part of `generation`'s run begins (or goes on from its checkpoint): the run's lease starts
    over, so a long run is not taken for dead. RefreshNotDue if the run is over or another took its
    place."""
    return update_unversioned(
        SegmentRecord,
        segment_id,
        [SegmentRecord.refresh_started_at.set(now)],
        SegmentRecord.id.exists() & _run_is(generation),
        RefreshNotDue(f"segment {segment_id}: the refresh of generation {generation} is over"),
    ).to_run()


def count_part(segment_id: str, generation: int, index: int, matched: int, scanned: int) -> RefreshRun:
    """Adds one part's matches to its run, once: PartCounted if this part was counted already or
    the run is over. Returns the run as it is after (complete: this part was the last)."""
    return update_unversioned(
        SegmentRecord,
        segment_id,
        [
            SegmentRecord.parts_done.add({index}),
            SegmentRecord.refresh_matched.add(matched),
            SegmentRecord.refresh_scanned.add(scanned),
        ],
        SegmentRecord.id.exists() & _run_is(generation) & ~SegmentRecord.parts_done.contains(index),
        PartCounted(f"segment {segment_id}: part {index} of generation {generation} is counted or its run is over"),
    ).to_run()


def finish_refresh(segment_id: str, run: RefreshRun, generation: int, contact_count: int, now: datetime) -> Segment:
    """Makes `generation` current with its count, once per run: RefreshNotDue if `run` was
    finished already or another run took its place."""
    return update_unversioned(
        SegmentRecord,
        segment_id,
        [
            SegmentRecord.generation.set(generation),
            SegmentRecord.contact_count.set(contact_count),
            SegmentRecord.contacts_scanned.set(run.scanned),
            SegmentRecord.refreshed_at.set(now),
            SegmentRecord.refresh_status.set(RefreshStatus.IDLE.value),
            SegmentRecord.refresh_error.remove(),
        ],
        SegmentRecord.id.exists() & _run_is(run.generation),
        RefreshNotDue(f"segment {segment_id}: the refresh of generation {run.generation} is over"),
    ).to_domain()


def fail_refresh(segment_id: str, error: str, generation: int | None = None) -> None:
    """Leaves the refresh queued (the redelivery takes it again) with the error for staff to see;
    given a run's `generation`, only if that run is still the segment's (a late part of a run
    that was taken over fails nothing)."""
    actions = [
        SegmentRecord.refresh_status.set(RefreshStatus.QUEUED.value),
        SegmentRecord.refresh_error.set(error[:500]),
    ]
    if generation is None:
        update_unversioned(
            SegmentRecord, segment_id, actions, SegmentRecord.id.exists(), NotFound(f"segment {segment_id} not found")
        )
        return
    condition = SegmentRecord.id.exists() & _run_is(generation)
    applied(lambda: SegmentRecord._get_connection().update_item(segment_id, actions=actions, condition=condition))


# --- members ---------------------------------------------------------------------------------------
def write_members(segment_id: str, contact_ids: Iterable[str], generation: int) -> None:
    with SegmentMemberRecord.batch_write() as batch:
        for contact_id in contact_ids:
            batch.save(SegmentMemberRecord(segment_id, contact_id, generation=generation))


def drop_older_members(segment_id: str, generation: int) -> None:
    _delete_members(SegmentMemberRecord.query(segment_id, filter_condition=SegmentMemberRecord.generation < generation))


def remove_members(segment_id: str, contact_ids: Iterable[str]) -> None:
    _delete_members(SegmentMemberRecord(segment_id, contact_id) for contact_id in contact_ids)


def _delete_members(members: Iterable[SegmentMemberRecord]) -> None:
    with SegmentMemberRecord.batch_write() as batch:
        for member in members:
            batch.delete(member)


def existing_members(segment_id: str, contact_ids: list[str]) -> set[str]:
    keys = [(segment_id, contact_id) for contact_id in contact_ids]
    return {member.contact_id for member in SegmentMemberRecord.batch_get(keys)} if keys else set()


def add_to_count(segment_id: str, delta: int, now: datetime) -> Segment:
    return update_unversioned(
        SegmentRecord,
        segment_id,
        [SegmentRecord.contact_count.add(delta), SegmentRecord.updated_at.set(now)],
        SegmentRecord.id.exists(),
        NotFound(f"segment {segment_id} not found"),
    ).to_domain()


def member_page(
    segment_id: str, generation: int, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[str], dict[str, Any] | None]:
    results = SegmentMemberRecord.query(
        segment_id,
        filter_condition=SegmentMemberRecord.generation >= generation,
        limit=limit,
        last_evaluated_key=start_key,
    )
    return [member.contact_id for member in results], results.last_evaluated_key


def count_members(segment_id: str) -> int:
    return SegmentMemberRecord.count(segment_id)


def generation_of(segment_id: str) -> int:
    return int(_record(segment_id).generation or 0)


def segments_of(contact_id: str) -> list[str]:
    return [member.segment_id for member in SegmentMemberRecord.by_contact.query(contact_id)]


def forget_contact(contact_id: str, now: datetime) -> None:
    """Erasure: the contact leaves every segment it was in."""
    for segment_id in segments_of(contact_id):
        SegmentMemberRecord(segment_id, contact_id).delete()
        with suppress(NotFound):  # the segment itself is being deleted: nothing to count
            add_to_count(segment_id, -1, now)
