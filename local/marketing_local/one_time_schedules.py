"""Fires EventBridge Scheduler's one-time schedules in local mode (moto stores them, never fires).

Every second: each schedule of the group whose `at(...)` moment has come puts its target input
on its target queue, then is deleted, as ActionAfterCompletion DELETE does in AWS.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

POLL_SECONDS = 1.0


def due_moment(expression: str) -> datetime | None:
    """The moment of an `at(yyyy-mm-ddThh:mm:ss)` expression (UTC); None for other kinds."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    return datetime.fromisoformat(expression[3:-1]).replace(tzinfo=UTC)


class OneTimeScheduleRunner:
    def __init__(self, scheduler: Any, sqs: Any, group: str):
        self._scheduler = scheduler
        self._sqs = sqs
        self._group = group
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="one-time-schedules", daemon=True)

    def fire_due(self, now: datetime | None = None) -> list[str]:
        """Fires what is due; returns the names of the schedules fired."""
        now = now or datetime.now(UTC)
        fired = []
        for summary in self._scheduler.list_schedules(GroupName=self._group).get("Schedules", []):
            schedule = self._scheduler.get_schedule(Name=summary["Name"], GroupName=self._group)
            moment = due_moment(schedule["ScheduleExpression"])
            if moment is None or moment > now:
                continue
            target = schedule["Target"]
            queue_name = target["Arn"].rsplit(":", 1)[1]
            queue_url = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            self._sqs.send_message(QueueUrl=queue_url, MessageBody=target.get("Input", "{}"))
            self._scheduler.delete_schedule(Name=summary["Name"], GroupName=self._group)
            fired.append(summary["Name"])
            print(f"[schedules] fired one-time schedule {summary['Name']}", flush=True)
        return fired

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.fire_due()
            except Exception as exc:  # keep firing; say why this round failed
                print(f"[schedules] {exc}", flush=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
