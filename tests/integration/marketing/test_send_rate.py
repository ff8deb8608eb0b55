"""The account's send rate shared by every sender (issue 20): pacers over the send-windows table on
moto, on a clock of their own (a sleep moves it on), so what they hand out is exact."""

from __future__ import annotations

import pytest

from marketing.campaigns.services.send_rate import (
    LOOKAHEAD_SECONDS,
    WINDOW_SECONDS,
    AccountRate,
    NoSendSlot,
    SharedPacer,
)
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
    assert send_windows.usage(int(START + WINDOW_SECONDS))[:2] == (20 - reserved, 0)  # left to automations
    clock.now = START + WINDOW_SECONDS
    times = send_times(automation, clock, 5)
    assert max(times) < START + 2 * WINDOW_SECONDS  # in the window the campaign is filling: not after it
    assert send_windows.usage(int(START + WINDOW_SECONDS))[0] <= 20


def test_functions_with_a_batch_each_send_one_after_the_other(aws):
    """Claimed at the same moment, two batches' slots do not interleave: the first function is done
    (and loading its next batch) while the second still sends, so the rate has no gap between them."""
    first_clock, second_clock = Clock(START), Clock(START)
    first, second = pacer(first_clock, 10), pacer(second_clock, 10)
    with first.expecting(30), second.expecting(30):
        first.wait()
        second.wait()  # both have claimed now: 30 slots each, 20 a window
        first_times = [first_clock.now, *send_times(first, first_clock, 29)]
        second_times = [second_clock.now, *send_times(second, second_clock, 29)]
    assert max(first_times) < min(second_times)
    assert sorted(first_times + second_times) == pytest.approx([START + n / 10 for n in range(60)])


def test_a_function_finding_every_slot_taken_waits_for_the_next_window(aws):
    busy_clock, late_clock = Clock(START), Clock(START)
    busy, late = pacer(busy_clock, 10), pacer(late_clock, 10)
    with busy.expecting(100):
        busy.wait()  # every slot as far as a function looks ahead
    with pytest.raises(NoSendSlot):
        late.wait(at_most=1)  # no slot within a second: the email waits for a later attempt
    with late.expecting(5):
        times = send_times(late, late_clock, 5)
    assert times[0] >= START + LOOKAHEAD_SECONDS + WINDOW_SECONDS  # after the windows the busy function holds
    assert times == pytest.approx([times[0] + n / 10 for n in range(5)])


def test_after_a_throttle_a_function_gives_up_its_slots_and_takes_new_ones(aws):
    clock = Clock(START)
    sender = pacer(clock, 10)
    with sender.expecting(10):
        send_times(sender, clock, 2)
        held = send_windows.usage(int(START))[0]
        sender.throttled()
        sender.wait()
    assert held == 10
    # The 8 it held stay taken (handed out at a rate SES refused); the 8 emails left get new ones after them.
    assert send_windows.usage(int(START))[0] == 18


def test_a_claim_late_in_a_window_goes_beyond_its_passed_slots_at_once(aws, monkeypatch):
    clock = Clock(START + 1.5)  # three quarters of the window's 2,000 slots have passed
    sender = pacer(clock, 1000)
    takes = []
    real_take = send_windows.take
    monkeypatch.setattr(send_windows, "take", lambda *args, **kwargs: takes.append(args) or real_take(*args, **kwargs))
    with sender.expecting(50):
        times = send_times(sender, clock, 50)
    assert len(takes) <= 2
    assert times[0] >= START + 1.5
    assert times == pytest.approx([times[0] + n / 1000 for n in range(50)])


def test_automation_emails_waiting_for_a_slot_get_one_before_the_campaigns_next_claims(aws):
    campaign_clock, automation_clock = Clock(START), Clock(START)
    campaign = pacer(campaign_clock, 10)
    with campaign.expecting(200):
        campaign.wait()  # every slot as far as a function looks ahead
    automation = pacer(automation_clock, 10, automation=True)
    with automation.expecting(1), pytest.raises(NoSendSlot):
        automation.wait(at_most=1.5)  # nothing free: it says it waited, then gives up for now
    later_clock = Clock(START + WINDOW_SECONDS)
    another = pacer(later_clock, 10)
    with another.expecting(20):
        another.wait()  # another function's batch, claimed a window later
    next_window = int(START + LOOKAHEAD_SECONDS + WINDOW_SECONDS)  # the first the campaign did not reach
    assert send_windows.usage(next_window)[:2] == (19, 0)  # one slot left for the automation email
    automation_clock.now = START + WINDOW_SECONDS
    with automation.expecting(1):
        [sent_at] = send_times(automation, automation_clock, 1)
    assert next_window <= sent_at < next_window + WINDOW_SECONDS


def test_a_function_behind_its_slots_catches_up_at_the_rate_not_at_once(aws):
    clock = Clock(START)
    sender = pacer(clock, 10)
    with sender.expecting(10):
        sender.wait()  # its ten slots: START to START + 0.9
        clock.now = START + 1.5  # a stall: nine slots missed, none by more than a window
        times = send_times(sender, clock, 9)
    assert times == pytest.approx([START + 1.5 + n / 10 for n in range(9)])
