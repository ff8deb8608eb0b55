"""Segment rules.

- Static segments are edited: `contact_ids` at creation, then `add_contact_ids` /
  `remove_contact_ids`; unknown contacts are refused before anything is written.
- Dynamic segments are computed: creating one, changing its criteria, `POST refresh/` and the
  daily schedule all queue a refresh; a refresh scans the contacts once, in parallel, writes the
  members as a new generation and then switches to it (docs/decisions.md, "Segment evaluation").
- A burst of refresh requests queues one refresh; a refresh whose worker died is taken over
  once its lease has run out.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from marketing import clock, pagination
from marketing.audience.models.contact_requests import ContactPage
from marketing.audience.models.segments import (
    AllOf,
    AnyOf,
    Conditions,
    RefreshRequest,
    RefreshStatus,
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
from marketing.errors import NotFound, ValidationFailed
from marketing.ids import new_id
from marketing.observability import logger, metrics

# Longer than the refresh worker's timeout: a refresh older than this died and may be taken over.
REFRESH_LEASE = timedelta(minutes=20)
SCAN_SEGMENTS = 4  # parallel scan: contacts/second scales with it, memory does not


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
    items, last_key = store.list_page(pagination.page_size(limit), pagination.decode_cursor(cursor))
    return SegmentPage(items=items, next=pagination.encode_cursor(last_key))


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
    ids, last_key = store.member_page(
        segment_id, store.generation_of(segment_id), pagination.page_size(limit), pagination.decode_cursor(cursor)
    )
    return ContactPage(items=contact_store.batch_get(ids), next=pagination.encode_cursor(last_key))


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


def matching_contacts(
    criteria: AllOf | AnyOf | Conditions, on_match, segments: int = SCAN_SEGMENTS
) -> tuple[int, ScanCost]:
    """Scans every contact once (`segments` parallel scans) and calls `on_match(ids)` with each
    page's matches. Returns how many matched and what the scan read."""

    def scan(segment: int) -> tuple[int, ScanCost]:
        cost, matched, page = ScanCost(), 0, []
        for contact in contact_store.scan_facts(cost, segment, segments):
            if criteria.matches(contact):
                page.append(contact.id)
                if len(page) == 500:
                    on_match(page)
                    matched, page = matched + len(page), []
        if page:
            on_match(page)
        return matched + len(page), cost

    total, cost = 0, ScanCost()
    with ThreadPoolExecutor(max_workers=segments) as pool:
        for matched, part in pool.map(scan, range(segments)):
            total += matched
            cost.merge(part)
    return total, cost


def refresh(segment_id: str) -> str:
    """Runs a queued refresh (the worker); returns what it did."""
    now = clock.utcnow()
    try:
        record = store.claim_refresh(segment_id, now, stale_before=now - REFRESH_LEASE)
    except store.RefreshNotDue:
        return "no refresh waiting (already done or running)"
    except NotFound:
        return "segment deleted"
    try:
        if record.type == SegmentType.STATIC:
            generation, count = 0, store.count_members(segment_id)
        else:
            generation = int(record.generation or 0) + 1
            count, cost = matching_contacts(
                parse_criteria(record.criteria), lambda ids: store.write_members(segment_id, ids, generation)
            )
            metrics.add_metric(name="SegmentContactsScanned", unit="Count", value=cost.items)
            logger.info(
                "segment evaluated",
                segment_id=segment_id,
                members=count,
                contacts_scanned=cost.items,
                read_units=cost.read_units,
                read_units_per_contact=round(cost.per_item(), 4),
            )
        store.finish_refresh(segment_id, generation, count, clock.utcnow())
        store.drop_older_members(segment_id, generation)
    except Exception as error:
        store.fail_refresh(segment_id, f"{type(error).__name__}: {error}")
        raise
    return f"segment refreshed: {count} members"
