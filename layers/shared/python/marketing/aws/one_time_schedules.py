"""One-time EventBridge Scheduler schedules that put a message on a queue at a moment.

A scheduled campaign is one schedule named after it: scheduling again replaces it, cancelling
deletes it, and it deletes itself once fired (ActionAfterCompletion DELETE). In local mode the
moto server stores these and local mode fires the due ones itself (moto never does).
"""

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from marketing.aws import clients
from marketing.config import BaseSettings, load_settings


class ScheduleSettings(BaseSettings):
    """Where campaign schedules go: an EventBridge Scheduler group, and the role it sends with."""

    schedule_group: str = Field(alias="CAMPAIGN_SCHEDULE_GROUP")
    scheduler_role_arn: str = Field(alias="SCHEDULER_ROLE_ARN")
    send_queue_arn: str = Field(alias="CAMPAIGN_SENDS_QUEUE_ARN")


def _client() -> Any:
    return clients.client("scheduler")


def at_expression(moment: datetime) -> str:
    """Scheduler's one-time expression, `at(yyyy-mm-ddThh:mm:ss)`, in UTC."""
    return f"at({moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


def put(name: str, moment: datetime, message: dict[str, Any]) -> None:
    """Creates the schedule `name`, or replaces its moment and message if it exists."""
    from botocore.exceptions import ClientError

    settings = load_settings(ScheduleSettings)
    request = {
        "Name": name,
        "GroupName": settings.schedule_group,
        "ScheduleExpression": at_expression(moment),
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {
            "Arn": settings.send_queue_arn,
            "RoleArn": settings.scheduler_role_arn,
            "Input": json.dumps(message),
        },
        "ActionAfterCompletion": "DELETE",
    }
    try:
        _client().create_schedule(**request)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConflictException":
            raise
        _client().update_schedule(**request)


def delete(name: str) -> None:
    """Deletes the schedule if it is still there (it may have fired and deleted itself)."""
    from botocore.exceptions import ClientError

    try:
        _client().delete_schedule(Name=name, GroupName=load_settings(ScheduleSettings).schedule_group)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
