"""SES's speed limits in moto, so throughput is measured against how SES behaves rather than against
an instant send (issue 20): each SendEmail takes a latency with jitter, and past the account's
maximum send rate SES answers 429 TooManyRequestsException ("Maximum sending rate exceeded"), as
it does in AWS. GetSendQuota reports that rate, so the platform's senders read it as in AWS.

The rate is a token bucket holding one second of sends (SES lets an account burst briefly up to its
rate). It can change while local mode runs (`POST /local/ses`): what a lowered quota looks like.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from email.utils import getaddresses


@dataclass
class SesLimits:
    rate: float  # emails per second SES accepts (the account's MaxSendRate)
    latency_ms: float = 0.0  # what one SendEmail call takes
    jitter_ms: float = 0.0  # ± this much, uniformly

    def describe(self) -> str:
        latency = f", {self.latency_ms:g} ± {self.jitter_ms:g} ms per send" if self.latency_ms else ""
        return f"{self.rate:g} emails/s{latency}"


class SimulatedSes:
    """The limits in force, and the token bucket that enforces the rate (thread-safe)."""

    def __init__(self, limits: SesLimits):
        self._lock = threading.Lock()
        self.limits = limits
        self._tokens = limits.rate
        self._refilled = time.monotonic()
        self.throttled = 0
        self.accepted: list[tuple[float, list[str]]] = []  # when SES took each email, and for whom

    def change(self, rate: float | None = None, latency_ms: float | None = None, jitter_ms: float | None = None):
        with self._lock:
            current = self.limits
            self.limits = SesLimits(
                rate if rate is not None else current.rate,
                latency_ms if latency_ms is not None else current.latency_ms,
                jitter_ms if jitter_ms is not None else current.jitter_ms,
            )
            self._tokens = min(self._tokens, self.limits.rate)
        return self.limits

    def take(self) -> bool:
        """Whether a send may go now (a token was left)."""
        with self._lock:
            now = time.monotonic()
            rate = self.limits.rate
            self._tokens = min(rate, self._tokens + (now - self._refilled) * rate)
            self._refilled = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            self.throttled += 1
            return False

    def wait_latency(self) -> None:
        limits = self.limits
        if limits.latency_ms:
            jitter = random.uniform(-limits.jitter_ms, limits.jitter_ms)  # noqa: S311 - a simulation
            time.sleep(max(0.0, limits.latency_ms + jitter) / 1000)


def apply(simulated: SimulatedSes) -> None:
    """Puts the limits on this process's moto SES (v2 sends, v1 quota)."""
    from moto.core.exceptions import JsonRESTError
    from moto.ses.models import SESBackend, SESQuota
    from moto.sesv2.models import SESV2Backend

    send = SESV2Backend.send_raw_email

    def limited_send(self, *args, **kwargs):
        simulated.wait_latency()
        if not simulated.take():
            error = JsonRESTError("TooManyRequestsException", "Maximum sending rate exceeded.")
            error.code = 429
            raise error
        message = send(self, *args, **kwargs)
        # moto adds the To header's addresses to the call's: one email, each address once.
        addresses = sorted({address.lower() for _, address in getaddresses(list(message.destinations))})
        simulated.accepted.append((time.time(), addresses))
        return message

    def quota(self) -> SESQuota:
        found = SESQuota(self.sent_message_count)
        found.max_send_rate = simulated.limits.rate
        found.max24_hour_send = 10_000_000
        return found

    SESV2Backend.send_raw_email = limited_send
    SESBackend.get_send_quota = quota


def from_environment(environ: dict[str, str], default_rate: float) -> SesLimits:
    """MKT_SES_MAX_SEND_RATE (emails/s), MKT_SES_LATENCY_MS and MKT_SES_JITTER_MS."""
    return SesLimits(
        rate=float(environ.get("MKT_SES_MAX_SEND_RATE") or default_rate),
        latency_ms=float(environ.get("MKT_SES_LATENCY_MS") or 0),
        jitter_ms=float(environ.get("MKT_SES_JITTER_MS") or 0),
    )


class SesControl:
    """`GET /local/ses`: the limits, how many sends SES throttled, and (`?accepted=1`) when it took
    each email and for whom; `POST` JSON `{"rate": 10}` (and/or `latency_ms`, `jitter_ms`) changes
    the limits, as an account's lowered quota would."""

    def __init__(self, simulated: SimulatedSes):
        self._simulated = simulated

    def _state(self) -> dict:
        limits = self._simulated.limits
        return {
            "rate": limits.rate,
            "latency_ms": limits.latency_ms,
            "jitter_ms": limits.jitter_ms,
            "throttled": self._simulated.throttled,
        }

    def route(self, request):
        from marketing_local.responses import json_response

        if request.method == "POST":
            try:
                asked = request.get_json(force=True) or {}
                numbers = {name: float(asked[name]) for name in ("rate", "latency_ms", "jitter_ms") if name in asked}
            except (ValueError, TypeError):
                return json_response({"error": 'send JSON such as {"rate": 10, "latency_ms": 60}'}, 400)
            if numbers.get("rate", 1) <= 0 or any(value < 0 for value in numbers.values()):
                return json_response({"error": "rate must be above 0, latencies 0 or more"}, 400)
            self._simulated.change(**numbers)
        state = self._state()
        if request.args.get("accepted"):
            state["accepted"] = [{"at": at, "to": to} for at, to in self._simulated.accepted]
        return json_response(state)
