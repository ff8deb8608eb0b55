"""Attempts per caller in fixed windows: what rate-limits guessing (failed gift-card codes and ids)
and signups (per caller and per address). One counter item per (scope, caller, window), removed
by DynamoDB's TTL after the window."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from marketing.store.table_meta import TableMeta


class FailedAttemptRecord(Model):
    class Meta(TableMeta):
        table_env = "FAILED_ATTEMPTS_TABLE"
        ttl_attribute = "expires"

    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)  # attempts, for the scopes that count every one
    expires = TTLAttribute()


def _key(scope: str, caller: str, now: datetime, window: timedelta) -> tuple[str, datetime]:
    seconds = int(window.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    return f"{scope}#{caller}#{start}", datetime.fromtimestamp(start, now.tzinfo) + window


def failures(scope: str, caller: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Failures in the current window, and when the window ends."""
    key, ends = _key(scope, caller, now, window)
    try:
        return int(FailedAttemptRecord.get(key).failures), ends
    except DoesNotExist:
        return 0, ends


def record_failure(scope: str, caller: str, now: datetime, window: timedelta) -> None:
    key, ends = _key(scope, caller, now, window)
    FailedAttemptRecord(key).update(
        actions=[FailedAttemptRecord.failures.add(1), FailedAttemptRecord.expires.set(ends + window)]
    )


def count(scope: str, caller: str, now: datetime, window: timedelta) -> int:
    """Counts one attempt; how many there were in the current window, this one included."""
    key, ends = _key(scope, caller, now, window)
    record = FailedAttemptRecord(key)
    record.update(actions=[FailedAttemptRecord.failures.add(1), FailedAttemptRecord.expires.set(ends + window)])
    return int(record.failures)  # as the update left it
