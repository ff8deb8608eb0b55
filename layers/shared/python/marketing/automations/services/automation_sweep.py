"""The automation sweep (every 15 minutes): runs that are stuck, and who waits where.

A run is stuck when, for longer than STUCK_AFTER:
- it is `pending`: its start never reached Step Functions. It is started again (idempotent: the
  same name and input find the execution if it did start);
- the worker holds its email (task token recorded) while the automation is active: the worker
  never finished it (it crashed, or the message went to the dead-letter queue). The email is
  handed back to the queue; the recipient's claim keeps it from going out twice;
- its next email is overdue and nothing holds it: the state machine should have handed it over.
  If its execution has ended (failed, timed out, aborted) the run is closed to match; if it is
  still running, it is reported (log and `AutomationRunsStuck` metric) for an operator.
Then each automation gets the count of its running executions by the next email they wait for
(`waiting_by_email` in its analytics).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from marketing import clock
from marketing.automations.models.automations import Automation, AutomationStatus, ExecutionStatus, Run
from marketing.automations.services import automation_runs
from marketing.automations.store import automations as automation_store
from marketing.automations.store import executions as execution_store
from marketing.aws import workflows
from marketing.observability import logger, metrics

STUCK_AFTER = timedelta(minutes=15)


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or clock.utcnow()
    found: Counter[str] = Counter()
    for automation in automation_store.every_automation():
        waiting: Counter[str] = Counter()
        for execution in execution_store.running(automation.id):
            waiting[str(int(execution.current_email_order or 0) + 1)] += 1
            found[_check(automation, execution, now)] += 1
        automation_store.save_count(automation.id, dict(waiting), now)
    metrics.add_metric(name="AutomationRunsStuck", unit="Count", value=found["overdue"])
    return dict(found)


def _check(automation: Automation, execution: Run, now: datetime) -> str:
    stale = now - STUCK_AFTER
    if execution.status == ExecutionStatus.PENDING.value:
        if execution.updated_at >= stale:
            return "starting"
        automation_runs.start(automation, execution)
        return "restarted"
    if execution.task_token:
        if automation.status != AutomationStatus.ACTIVE.value:
            return "held"
        if execution.task_since is None or execution.task_since >= stale:
            return "sending"
        automation_runs.hand_back([execution])
        return "handed_back"
    if execution.next_email_at is None or execution.next_email_at >= stale or not execution.execution_arn:
        return "waiting"
    state = workflows.status(execution.execution_arn)
    if state == "RUNNING":
        logger.warning(
            "automation run overdue: its next email was due and never handed over",
            automation_id=automation.id,
            contact_id=execution.contact_id,
            next_email_at=execution.next_email_at.isoformat(),
        )
        return "overdue"
    if state == "SUCCEEDED":
        execution_store.complete(execution.key, int(execution.series_length or execution.current_email_order), now)
        return "completed"
    automation_runs.stop(execution, f"its Step Functions execution ended: {state or 'not found'}")
    return "ended"
