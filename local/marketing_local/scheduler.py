"""EventBridge's scheduled rules, locally: moto stores schedules but never fires them, so local mode
fires each schedule of marketing.catalog.topology at its cron times (UTC), and on demand from
`POST /local/schedules?name=…`.

Cron is EventBridge's six fields (minutes hours day-of-month month day-of-week year) with `*`,
`?`, numbers, lists, ranges and `/` steps; day-of-week 1-7 is Sunday-Saturday, as in EventBridge.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from marketing.catalog.topology import Schedule
from marketing.clock import isoformat
from marketing_local.config import ACCOUNT_ID, REGION
from marketing_local.lambda_runtime import FunctionError, LocalFunction
from marketing_local.responses import json_response

log = logging.getLogger("marketing_local.scheduler")
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))


def _field(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        spec, _, step = part.partition("/")
        if spec in ("*", "?"):
            start, end = low, high
        elif "-" in spec:
            start, end = (int(bound) for bound in spec.split("-"))
        else:
            start = end = int(spec)
            if step:
                end = high
        if not (low <= start <= end <= high):
            raise ValueError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, int(step or 1)))
    return values


@dataclass(frozen=True)
class Cron:
    minutes: set[int]
    hours: set[int]
    days: set[int] | None  # None: any (`?` or `*`)
    months: set[int]
    weekdays: set[int] | None  # 1 = Sunday
    years: set[int]

    @classmethod
    def parse(cls, expression: str) -> Cron:
        fields = expression.split()
        if len(fields) != 6:
            raise ValueError(f"cron needs six fields, got {expression!r}")
        parsed = [_field(text, low, high) for text, (low, high) in zip(fields, _RANGES, strict=True)]
        any_day, any_weekday = fields[2] in ("*", "?"), fields[4] in ("*", "?")
        return cls(
            parsed[0],
            parsed[1],
            None if any_day else parsed[2],
            parsed[3],
            None if any_weekday else parsed[4],
            parsed[5],
        )

    def _day_matches(self, day: datetime) -> bool:
        weekday = day.isoweekday() % 7 + 1  # Monday=1 -> 2 ... Sunday=7 -> 1
        return (
            day.year in self.years
            and day.month in self.months
            and (self.days is None or day.day in self.days)
            and (self.weekdays is None or weekday in self.weekdays)
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first time strictly after `moment` that the expression matches."""
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ValueError("the cron expression never fires in the next five years")


def scheduled_event(schedule: Schedule, moment: datetime) -> dict[str, Any]:
    """The event an EventBridge schedule rule sends its target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": isoformat(moment).replace(".000Z", "Z"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{schedule.name}"],
        "detail": {},
    }


class Scheduler:
    def __init__(self, schedules: dict[str, tuple[Schedule, LocalFunction]]):
        self._schedules = schedules
        self._crons = {name: Cron.parse(schedule.cron) for name, (schedule, _) in schedules.items()}
        self._next = {name: cron.next_after(datetime.now(UTC)) for name, cron in self._crons.items()}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)

    def fire(self, name: str) -> Any:
        schedule, function = self._schedules[name]
        return function.invoke(scheduled_event(schedule, datetime.now(UTC)))

    def _run(self) -> None:
        while not self._stopping.wait(1):
            now = datetime.now(UTC)
            for name, due in list(self._next.items()):
                if now >= due:
                    self._next[name] = self._crons[name].next_after(now)
                    try:
                        self.fire(name)
                    except FunctionError as error:
                        log.warning("schedule %s failed: %s", name, error)

    def route(self, request: Request) -> Response:
        """GET /local/schedules: each schedule and when it fires next. POST ?name=…: fire it now."""
        if request.method == "POST":
            name = request.args.get("name", "")
            if name not in self._schedules:
                return json_response({"error": f"no schedule {name!r}; one of {sorted(self._schedules)}"}, 404)
            try:
                return json_response({"schedule": name, "result": self.fire(name)})
            except FunctionError as error:
                return json_response({"schedule": name, "error": error.payload}, 502)
        return json_response(
            {
                "items": [
                    {"name": name, "cron": schedule.cron, "next_run": isoformat(self._next[name])}
                    for name, (schedule, _) in self._schedules.items()
                ]
            }
        )
