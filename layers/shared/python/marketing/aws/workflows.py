"""The automation state machine, as the functions use it: start a run, stop one, answer a task.

Every call is safe to repeat: a start with a name already running the same input returns that
run (Step Functions' own idempotency), a start whose name was used before is reported as such,
and stopping or answering a run that has ended already is not an error. One Step Functions
client per container, made on first use.
"""

from __future__ import annotations

import json
from typing import Any

from marketing.aws import clients
from marketing.catalog.topology import AUTOMATION_STATE_MACHINE, resource

STOPPED_ERROR = "Automation.Stopped"
_GONE = {"ExecutionDoesNotExist", "TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


def _sfn() -> Any:
    return clients.client("stepfunctions")


def _call(action: str, tolerated: set[str], **request: Any) -> dict[str, Any] | None:
    """Calls Step Functions' `action`; None if it refused with one of the `tolerated` error codes."""
    from botocore.exceptions import ClientError

    try:
        return getattr(_sfn(), action)(**request)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in tolerated:
            raise
        return None


def execution_arn(name: str) -> str:
    """The ARN Step Functions gives the execution called `name` of the automation state machine."""
    machine = resource(AUTOMATION_STATE_MACHINE.env_var)
    prefix, _, machine_name = machine.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine_name}:{name}"


def start(name: str, execution_input: dict[str, Any]) -> str:
    """Starts the execution `name` (or finds it already started) and returns its ARN."""
    response = _call(
        "start_execution",
        {"ExecutionAlreadyExists"},  # started by an earlier attempt of this same trigger
        stateMachineArn=resource(AUTOMATION_STATE_MACHINE.env_var),
        name=name,
        input=json.dumps(execution_input),
    )
    return response["executionArn"] if response else execution_arn(name)


def stop(arn: str, reason: str, task_token: str | None = None) -> None:
    """Stops a run; a run that has ended already is left as it is. `task_token`, the email the
    run waits on, is answered too, so nothing is left waiting on it."""
    _call("stop_execution", _GONE, executionArn=arn, error=STOPPED_ERROR, cause=reason[:32768])
    if task_token:
        abandon(task_token, reason)


def abandon(task_token: str, reason: str) -> None:
    """Answers a task whose run is over, so nothing waits on it (a run stopped already ignores it)."""
    _call("send_task_failure", _GONE, taskToken=task_token, error=STOPPED_ERROR, cause=reason[:256])


def task_done(task_token: str) -> None:
    """Tells the run its email is handled, so it goes on to the next delay (a token answered
    already, or of a run that has ended, is no error)."""
    _call("send_task_success", _GONE, taskToken=task_token, output="{}")


def status(arn: str) -> str | None:
    """RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED; None if Step Functions has no such run."""
    response = _call("describe_execution", _GONE, executionArn=arn)
    return response["status"] if response else None
