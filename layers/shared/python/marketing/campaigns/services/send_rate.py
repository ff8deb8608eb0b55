"""One SES send rate for the whole account, shared at run time by every function that sends
(issue 20, decision 86).

SES's rate is the account's, not a function's: a fixed share per function left a campaign sending
alone at a fraction of it. Instead every sender takes its send slots from one ledger of time
windows (store/send_windows.py): the slots for its whole batch at once, so a DynamoDB write pays
for many emails, each slot a moment `1/rate` apart from the previous one in its window, whoever
took it. The slots of a window never exceed what SES allows in it, however many functions send at
once.

- A campaign alone takes every slot: its steady rate is the account's.
- Automation emails go first: campaigns leave free, in each window they claim, as many slots as
  automation emails took in the window before, or found none free there (they may take every
  slot; campaigns take what is left).
- The rate is SES's MaxSendRate (or SES_MAX_SEND_RATE), read again every minute, and a second
  after SES throttles a send: a lowered quota is followed within seconds, and the sends it
  throttled meanwhile take new slots at the new rate (services/delivery.py), never lost.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

from marketing.aws.ses import SendRetryable, account_send_rate
from marketing.campaigns.store import send_windows

WINDOW_SECONDS = 2
# How far ahead a function claims slots: the next window, room for the next batch while one sends,
# and no more: automation emails that come due meanwhile find the slots campaigns leave them (the
# reserve) within seconds (with 4 s, the benchmark's welcome emails sent a third as fast).
LOOKAHEAD_SECONDS = 2
# A claim that says nothing of its need: an eighth of a window's slots, at most as many as a
# function's send threads use at once.
BLOCKS_PER_WINDOW = 8
UNDECLARED_CLAIM = 8
STALE_SLOT_SECONDS = 2.0  # a window: SES counts its rate per second, with a second of burst
QUOTA_MAX_AGE_SECONDS = 60
QUOTA_AFTER_THROTTLE_SECONDS = 1


class NoSendSlot(SendRetryable):
    """No send slot came in the time the sender could wait: the email waits for a later attempt."""


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
    """Hands out this function's send slots (thread-safe): `wait()` returns at the next one.

    A function says how many emails it is about to send (`expecting`), and claims slots for all of
    them at once, in time order after the slots already taken, up to LOOKAHEAD_SECONDS ahead: the
    functions sending a campaign then send one after another rather than side by side, so while
    one sends, the others load and claim their next batch, and the rate has no gaps between batches
    (side by side, every function finished its batch at the same moment and they all prepared their
    next one while nothing was sent). A function that finds no slot free within the lookahead waits
    for the next window to come within it."""

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
        self._wanted = 0  # emails this function means to send: what its next claim is for
        self._last_slot = 0.0  # when the last email handed a slot was sent
        self._full = (0.0, 0)  # (the rate, the first window not known full at that rate)
        self._reserved: dict[int, int] = {}  # window -> slots campaigns leave to automation emails
        self._dropping = False  # SES throttled: the slots held were handed out at a rate it no longer takes

    @contextmanager
    def expecting(self, count: int) -> Iterator[None]:
        """Around the sends of a batch of `count` emails: a function handles one batch at a time."""
        with self._lock:
            self._wanted = count
        try:
            yield
        finally:
            with self._lock:
                self._wanted = 0

    def wait(self, at_most: float = float("inf"), *, again: bool = False) -> None:
        """Returns at this function's next slot; SendRetryable if none comes within `at_most` seconds.
        `again`: for an email that had a slot already (SES throttled it), not one more email."""
        give_up_at = self._now() + at_most
        noted = None  # the window this function's waiting automation emails were counted in
        with self._lock:  # one thread claims; the others would find nothing more to claim meanwhile
            while not self._next_slot(rate := self._rate.current()):  # read again after each wait
                window = int(self._now() // WINDOW_SECONDS) * WINDOW_SECONDS
                if self._automation and window != noted:  # campaigns claiming next leave them room
                    send_windows.note_waiting(window, max(1, self._wanted))
                    noted = window
                if self._now() + WINDOW_SECONDS > give_up_at:
                    raise NoSendSlot(f"no send slot free within {at_most:.0f} s")
                self._sleep(WINDOW_SECONDS / 2)  # the lookahead moves on by a window every WINDOW_SECONDS
            # A slot missed a little is sent late, yet never sooner than the rate after the last one.
            at = max(self._slots.popleft(), self._last_slot + 1 / rate)
            self._last_slot = max(at, self._now())
            if not again:
                self._wanted = max(0, self._wanted - 1)
        delay = at - self._now()
        if delay > 0:
            self._sleep(delay)

    def throttled(self) -> None:
        """SES throttled a send: the rate is read again soon (a lowered quota), and the slots this
        function holds, handed out at the rate SES no longer takes, are given up."""
        self._rate.throttled()
        self._dropping = True

    def _next_slot(self, rate: float) -> bool:
        """Whether a slot is held (claiming more if none is). A slot missed by a little is still
        used (a function a little behind its slots sends at the rate); one missed by more than
        STALE_SLOT_SECONDS is dropped: those moments are gone, and sending for them now would go
        past the rate SES counts per second while the other functions send on time."""
        if self._dropping:
            self._slots.clear()
            self._dropping = False
        now = self._now()
        while self._slots and self._slots[0] < now - STALE_SLOT_SECONDS:
            self._slots.popleft()
        if not self._slots:
            self._slots.extend(self._claim(rate, now))
        return bool(self._slots)

    def _claim(self, rate: float, now: float) -> list[float]:
        """Slots for the emails this function still means to send, in the first windows with room
        up to LOOKAHEAD_SECONDS ahead (perhaps fewer, perhaps none)."""
        capacity = max(1, int(rate * WINDOW_SECONDS))
        need = self._wanted or min(max(1, capacity // BLOCKS_PER_WINDOW), UNDECLARED_CLAIM)
        current = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        limit = capacity if self._automation else capacity - self._reserve(current)
        known_rate, first_not_full = self._full
        window = max(current, first_not_full) if known_rate == rate else current
        slots: list[float] = []
        behind = 0  # slots of the current window already passed that a take must go beyond
        while window <= now + LOOKAHEAD_SECONDS and len(slots) < need:
            passed = max(0, math.ceil((now - window) * rate))  # slots of the window whose moment has gone
            taken = self._take(window, min(need - len(slots) + behind, limit), limit) if limit > passed else None
            if taken is not None:
                first, count = taken
                slots += [at for at in (window + (first + index) / rate for index in range(count)) if at >= now]
                behind = max(0, passed - (first + count))
                if first + count < limit:  # room left in the window
                    if len(slots) >= need:
                        break
                    continue  # short by slots already passed, which the next take goes beyond
            behind = 0
            self._full = (rate, window + WINDOW_SECONDS)
            window += WINDOW_SECONDS
        return slots

    def _take(self, window: int, count: int, limit: int) -> tuple[int, int] | None:
        """`count` slots of the window, or what is left of it if fewer: (first slot, how many)."""
        first = send_windows.take(window, count, limit, automation=self._automation)
        if first is not None:
            return first, count
        left = limit - send_windows.usage(window)[0]
        if 0 < left < count:
            first = send_windows.take(window, left, limit, automation=self._automation)
            if first is not None:
                return first, left
        return None

    def _reserve(self, window: int) -> int:
        """What campaigns leave free in each window they claim now (`window` the current one): as
        many slots as automation emails took in the window before, or as many as found none free
        there if more (the larger, not the sum: an email that waited takes its slot later)."""
        if window not in self._reserved:
            _, took, waited = send_windows.usage(window - WINDOW_SECONDS)
            self._reserved = {window: max(took, waited)}
        return self._reserved[window]


@cache
def shared_pacer(override: float | None, automation: bool) -> SharedPacer:
    """This container's pacer for campaign or automation emails (one rate reading for both)."""
    return SharedPacer(_account_rate(override), automation=automation)


@cache
def _account_rate(override: float | None) -> AccountRate:
    return AccountRate(override)
