"""The account's send rate shared by every sender (issue 20): pacers over the send-windows table on
moto, on a clock of their own (a sleep moves it on), so what they hand out is exact."""

from __future__ import annotations

import pytest

from marketing.campaigns.services.send_rate import WINDOW_SECONDS, AccountRate, SharedPacer
from marketing.campaigns.store import send_windows


class Clock:
    def __init__(self, start: float):
        self.now = start

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


START = 1_800_000_000.0  # the start of a window


def pacer(clock: Clock, rate: float, *, automation: bool = False) -> SharedPacer:
    return SharedPacer(AccountRate(rate), automation=automation, now=clock.time, sleep=clock.sleep)


def send_times(pacer_: SharedPacer, clock: Clock, count: int) -> list[float]:
    times = []
    for _ in range(count):
        pacer_.wait()
        times.append(clock.now)
    return times


def test_a_campaign_alone_gets_every_slot_at_the_account_rate(aws):
    clock = Clock(START)
    times = send_times(pacer(clock, 20), clock, 200)
    assert times[-1] - times[0] == pytest.approx(199 / 20)  # 20 a second, steady, from the first
    assert send_windows.usage(int(START))[0] == 20 * WINDOW_SECONDS


def test_senders_share_the_rate_and_never_exceed_it_together(aws):
    clocks = [Clock(START), Clock(START), Clock(START)]
    pacers = [pacer(clock, 10) for clock in clocks]
    times = []
    for _ in range(20):  # turn by turn, as functions running at once would ask
        for each, clock in zip(pacers, clocks, strict=True):
            each.wait()
            times.append(clock.now)
    ordered = sorted(times)
    assert len(set(ordered)) == len(ordered)  # no slot handed out twice
    for first, last in zip(ordered, ordered[10:], strict=False):  # any 11 sends span at least a second
        assert last - first >= 1.0 - 1e-9


def test_automation_emails_go_first_and_campaigns_take_the_rest(aws):
    clock, campaign_clock = Clock(START), Clock(START + WINDOW_SECONDS)
    automation = pacer(clock, 10, automation=True)
    send_times(automation, clock, 5)  # its blocks: a few of the first window's 20 slots
    reserved = send_windows.usage(int(START))[1]
    assert 5 <= reserved < 20
    send_times(pacer(campaign_clock, 10), campaign_clock, 30)  # the next windows, as far as it may
    assert send_windows.usage(int(START + WINDOW_SECONDS)) == (20 - reserved, 0)  # left to automations
    clock.now = START + WINDOW_SECONDS
    times = send_times(automation, clock, 5)
    assert max(times) < START + 2 * WINDOW_SECONDS  # in the window the campaign is filling: not after it
    assert send_windows.usage(int(START + WINDOW_SECONDS))[0] <= 20
