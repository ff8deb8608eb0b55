"""The local gateway's per-route throttle: burst twice the rate, refilled at the rate."""

from __future__ import annotations

from marketing.auth import Access
from marketing.catalog.api_routes import ROUTES
from marketing_local.throttle import RouteThrottle


def test_a_route_takes_its_burst_then_its_rate_and_routes_do_not_share_tokens():
    now = [0.0]
    throttle = RouteThrottle(clock=lambda: now[0])
    redeem = next(route for route in ROUTES if route.takes_code)
    other = next(route for route in ROUTES if route.access is Access.STAFF and not route.takes_code)
    assert redeem.rate_limit() == 20
    admitted = [throttle.admit(redeem) for _ in range(45)]
    assert admitted.count(True) == 40  # the burst
    assert throttle.admit(other)  # its own bucket
    now[0] += 0.5  # half a second refills 10 tokens at 20/s
    assert [throttle.admit(redeem) for _ in range(11)].count(True) == 10
