"""One SES send rate for the whole account, shared at run time by every function that sends
(issue 20, decision 86).

SES's rate is the account's, not a function's: a fixed share per function left a campaign sending
alone at a fraction of it. Instead every sender takes its send slots from one ledger of time
windows (store/send_windows.py): a block of slots at a time, so a DynamoDB write pays for many
emails, each slot a moment `1/rate` apart from the previous one in its window, whoever took it.
The slots of a window never exceed what SES allows in it, however many functions send at once.

- A campaign alone takes every slot: its steady rate is the account's.
- Automation emails go first: campaigns leave free, in each window, as many slots as automation
  emails took in the one before (they may take every slot; campaigns take what is left).
- The rate is SES's MaxSendRate (or SES_MAX_SEND_RATE), read again every minute, and a few
  seconds after SES throttles a send: a lowered quota is followed within seconds, and the sends it
  throttled meanwhile are retried by the delivery path (services/delivery.py), never lost.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from functools import cache

from marketing.aws.ses import SendRetryable, account_send_rate
from marketing.campaigns.store import send_windows

WINDOW_SECONDS = 2
BLOCKS_PER_WINDOW = 8  # a sender's claim: an eighth of a window's slots (one write per block)
FARTHEST_AHEAD_SECONDS = 10  # a sender finding no free slot sooner backs off (SendRetryable)
QUOTA_MAX_AGE_SECONDS = 60
QUOTA_AFTER_THROTTLE_SECONDS = 1


class AccountRate:
    """The account's send rate: `override`, or SES's, read once a minute and again soon after SES
    throttled a send."""

    def __init__(self, override: float | None, read: Callable[[], float] = account_send_rate):
        self._override = override
        self._read = read
        self._rate = 0.0
        self._read_at = -float("inf")
        self._max_age = QUOTA_MAX_AGE_SECONDS
        self._lock = threading.Lock()

    def current(self) -> float:
        if self._override is not None:
            return self._override
        with self._lock:
            if time.monotonic() - self._read_at > self._max_age:
                self._rate, self._read_at, self._max_age = (
                    max(self._read(), 0.1),
                    time.monotonic(),
                    QUOTA_MAX_AGE_SECONDS,
                )
            return self._rate

    def throttled(self) -> None:
        with self._lock:
            self._max_age = min(self._max_age, QUOTA_AFTER_THROTTLE_SECONDS)


class SharedPacer:
    """Hands out this function's send slots (thread-safe): `wait()` returns at the next one."""

    def __init__(
        self,
        rate: AccountRate,
        *,
        automation: bool,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._rate = rate
        self._automation = automation
        self._now = now
        self._sleep = sleep
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()
        self._reserved: dict[int, int] = {}  # window -> slots campaigns leave to automation emails

    def wait(self) -> None:
        with self._lock:
            if not self._slots:
                self._slots.extend(self._claim())
            at = self._slots.popleft()
        delay = at - self._now()
        if delay > 0:
            self._sleep(delay)

    def throttled(self) -> None:
        """SES throttled a send: the rate is read again soon (a lowered quota)."""
        self._rate.throttled()

    def _claim(self) -> list[float]:
        rate = self._rate.current()
        capacity = max(1, int(rate * WINDOW_SECONDS))
        block = max(1, capacity // BLOCKS_PER_WINDOW)
        now = self._now()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        while window <= now + FARTHEST_AHEAD_SECONDS:
            limit = capacity if self._automation else capacity - self._reserve(window)
            # Slots whose moment has passed are nobody's: sending them now would burst past the rate.
            if limit > (now - window) * rate:
                taken = self._take(window, min(block, limit), limit)
                if taken is not None:
                    first, count = taken
                    upcoming = [window + (first + index) / rate for index in range(count)]
                    upcoming = [max(at, now) for at in upcoming if at >= now - 1 / rate]
                    if upcoming:
                        return upcoming
                    continue  # a block of the past (the window filled up behind us): take the next
            window += WINDOW_SECONDS
        raise SendRetryable(f"no send slot free in the next {FARTHEST_AHEAD_SECONDS} s at {rate:g} emails/s")

    def _take(self, window: int, block: int, limit: int) -> tuple[int, int] | None:
        """`block` slots of the window, or what is left of it if fewer: (first slot, how many)."""
        first = send_windows.take(window, block, limit, automation=self._automation)
        if first is not None:
            return first, block
        left = limit - send_windows.usage(window)[0]
        if 0 < left < block:
            first = send_windows.take(window, left, limit, automation=self._automation)
            if first is not None:
                return first, left
        return None

    def _reserve(self, window: int) -> int:
        """What a campaign leaves free in `window`: the slots automation emails took in the one before."""
        if window not in self._reserved:
            self._reserved = {window: send_windows.usage(window - WINDOW_SECONDS)[1]}
        return self._reserved[window]


@cache
def shared_pacer(override: float | None, automation: bool) -> SharedPacer:
    """This container's pacer for campaign or automation emails (one rate reading for both)."""
    return SharedPacer(_account_rate(override), automation=automation)


@cache
def _account_rate(override: float | None) -> AccountRate:
    return AccountRate(override)
