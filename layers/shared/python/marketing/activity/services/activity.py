"""Reads the activity counters into the series the charts draw: every bucket of the period, zeros
where nothing happened, by the hour while a mailing is young and by the day after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketing.activity.models.activity import (
    AudienceActivity,
    AudienceDay,
    LinkClicks,
    MailingLinks,
    MailingTimeline,
    TimelineBucket,
)
from marketing.activity.store import activity as store

HOURLY_FOR = timedelta(days=3)
MAX_AUDIENCE_DAYS = 366
TIMELINE_COUNTERS = tuple(name for name in TimelineBucket.model_fields if name != "start")
AUDIENCE_COUNTERS = tuple(name for name in AudienceDay.model_fields if name != "date")


def _hours(first: datetime, last: datetime) -> list[datetime]:
    start = first.replace(minute=0, second=0, microsecond=0)
    return [start + timedelta(hours=n) for n in range(int((last - start) / timedelta(hours=1)) + 1)]


def _days(first: datetime, last: datetime) -> list[datetime]:
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    return [start + timedelta(days=n) for n in range((last.date() - start.date()).days + 1)]


def mailing_timeline(series: str, started_at: datetime | None, now: datetime) -> MailingTimeline:
    """The mailing's counters from the hour its send started to now."""
    if started_at is None:
        return MailingTimeline(granularity="hour", buckets=[])
    started_at = started_at.astimezone(UTC)
    hourly = now - started_at <= HOURLY_FOR
    starts = _hours(started_at, now) if hourly else _days(started_at, now)
    key_of = store.hour_of if hourly else store.day_of
    totals = {key_of(start): dict.fromkeys(TIMELINE_COUNTERS, 0) for start in starts}
    for record in store.buckets(series, store.hour_of(started_at), store.hour_of(now)):
        bucket = totals.get(store.time_of(record) if hourly else store.time_of(record)[:10])
        if bucket is not None:
            for name, value in store.counted(record, TIMELINE_COUNTERS).items():
                bucket[name] += value
    return MailingTimeline(
        granularity="hour" if hourly else "day",
        buckets=[TimelineBucket(start=start, **totals[key_of(start)]) for start in starts],
    )


def mailing_links(series: str) -> MailingLinks:
    clicks = [LinkClicks(url=record.url or "", clicks=int(record.clicked or 0)) for record in store.links(series)]
    return MailingLinks(links=sorted(clicks, key=lambda link: -link.clicks))


def audience(days: int, now: datetime) -> AudienceActivity:
    """The audience's last `days` days, today included."""
    starts = _days(now - timedelta(days=max(1, min(days, MAX_AUDIENCE_DAYS)) - 1), now)
    totals = {store.day_of(start): dict.fromkeys(AUDIENCE_COUNTERS, 0) for start in starts}
    for record in store.buckets(store.AUDIENCE, store.day_of(starts[0]), store.day_of(now)):
        day = totals.get(store.time_of(record))
        if day is not None:
            for name, value in store.counted(record, AUDIENCE_COUNTERS).items():
                day[name] += value
    return AudienceActivity(days=[AudienceDay(date=start.date(), **totals[store.day_of(start)]) for start in starts])
