"""Whom a campaign's send would reach, counted before it starts: the segment's members who may get
marketing email of the template's category, by the rules the send itself applies
(email/services/suppression.marketing_suppression: subscribed, not opted out of the category, not
bounced or complained, not on the do-not-email list).

A segment of up to SAMPLE members is counted exactly: one query of its members, then batch reads
of their contacts, their subscribers and the list's hashes of the addresses still sendable (100 keys
to a request: about 35 requests and 2,000 read units, ≈ $0.00025, for 1,000 members). A larger
segment is counted from its first SAMPLE members, in proportion to its size: members are kept in
the order of their contact ids, which are random (ids.py), so the first ones are a uniform sample
(each share within ±3 points at 95%). The campaign's detail, which the console reads every few
seconds while it is open, so costs the same for a segment of a million as for one of a thousand.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from marketing.audience.models.segments import Segment
from marketing.audience.store import contacts as contact_store
from marketing.audience.store import segments as segment_store
from marketing.audience.store import subscribers as subscriber_store
from marketing.campaigns.models.recipients import SuppressionReason
from marketing.email.models.templates import TemplateCategory
from marketing.email.services import suppression

SAMPLE = 1000


class Reach(NamedTuple):
    sendable: int
    excluded: dict[SuppressionReason, int]  # by the reason the send would suppress them
    members_read: int  # all of them, or the sample the counts were scaled from


def of_segment(segment: Segment, category: TemplateCategory) -> Reach:
    contact_ids, more = segment_store.member_page(segment.id, segment_store.generation_of(segment.id), SAMPLE, None)
    contacts = {contact.id: contact for contact in contact_store.batch_get(contact_ids)}  # erased ones drop out
    reasons = suppression.marketing_suppression(contacts, subscriber_store.for_contacts(contact_ids), category)
    counts = Counter(reasons.values())
    scale = max(segment.contact_count, len(contact_ids)) / len(contact_ids) if more is not None else 1

    def scaled(count: int) -> int:
        return round(count * scale)

    return Reach(
        sendable=scaled(counts[None]),
        excluded={reason: scaled(count) for reason, count in counts.items() if reason is not None},
        members_read=len(contact_ids),
    )
