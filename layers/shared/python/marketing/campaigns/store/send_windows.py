"""The account's SES send rate, shared out between every function that sends (issue 20, decision
86): the only code that knows how it is stored.

Time is cut into windows of a few seconds, one item each, holding how many send slots the window's
senders took (and how many of those were automation emails'). A sender takes a block of slots with
one conditional update, so the account's rate is never handed out twice, whichever functions ask;
the update returns where in the window its block starts. Items go an hour after their window (TTL).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from marketing.store.conditions import applied
from marketing.store.table_meta import TableMeta

KEPT_SECONDS = 3600


class SendWindowRecord(Model):
    class Meta(TableMeta):
        table_env = "SEND_WINDOWS_TABLE"
        ttl_attribute = "expires"

    window = UnicodeAttribute(hash_key=True)  # the window's start, in epoch seconds
    taken = NumberAttribute(default=0)  # slots handed out
    automations = NumberAttribute(default=0)  # of which to automation emails
    waiting = NumberAttribute(default=0)  # automation emails that found no slot free in the window
    expires = TTLAttribute()


def take(window_start: int, count: int, limit: int, *, automation: bool) -> int | None:
    """Takes `count` slots of the window, provided no more than `limit` are then taken; the index of
    the first slot taken, or None (nothing taken) if they do not fit."""
    record = SendWindowRecord(str(window_start))
    actions = [
        SendWindowRecord.taken.add(count),
        SendWindowRecord.expires.set(datetime.fromtimestamp(window_start + KEPT_SECONDS, UTC)),
    ]
    if automation:
        actions.append(SendWindowRecord.automations.add(count))
    fits = SendWindowRecord.taken.does_not_exist() | (SendWindowRecord.taken <= limit - count)
    if not applied(lambda: record.update(actions=actions, condition=fits)):
        return None
    return int(record.taken) - count


def note_waiting(window_start: int, count: int) -> None:
    """`count` automation emails found no slot free in the window (campaigns claiming next leave
    them room)."""
    SendWindowRecord(str(window_start)).update(
        actions=[
            SendWindowRecord.waiting.add(count),
            SendWindowRecord.expires.set(datetime.fromtimestamp(window_start + KEPT_SECONDS, UTC)),
        ]
    )


def usage(window_start: int) -> tuple[int, int, int]:
    """Slots taken in the window, how many by automation emails, and how many automation emails
    found none free in it (0, 0, 0 for an untouched one)."""
    try:
        record = SendWindowRecord.get(str(window_start))
    except DoesNotExist:
        return 0, 0, 0
    return int(record.taken), int(record.automations), int(record.waiting)
