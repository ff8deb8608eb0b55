"""API Gateway's per-route throttling, locally: a token bucket per route (rate per second, burst
twice that, as the stage's route settings in CDK), answering 429 when it is empty."""

from __future__ import annotations

import threading
import time

from marketing.catalog.api_routes import ApiRoute


class RouteThrottle:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # route key -> (tokens, last refill)

    def admit(self, route: ApiRoute) -> bool:
        """Takes a token for one request to `route`; False if the route is over its limit."""
        rate = route.rate_limit()
        burst = 2.0 * rate
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(route.route_key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            admitted = tokens >= 1
            self._buckets[route.route_key] = (tokens - 1 if admitted else tokens, now)
        return admitted
