"""Local mode's data across restarts: saved from the moto server when local mode stops, put back
when it starts.

moto keeps everything in memory and has no persistence of its own; its request recorder would
replay SQS receives and deletes and S3 uploads too, acting on them again. So local mode saves,
through the AWS APIs, what the platform's data is: every DynamoDB item, the secrets' values (the
link-signing and gift-card keys: links in sent emails and card codes keep working) and EventBridge
Scheduler's pending schedules (scheduled campaigns), into one JSON file in the state folder. Not
kept: messages still queued, running Step Functions executions (an automation's wait), the SES
outbox. `mkt-local run --clean` deletes the file and starts empty.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from marketing.tokens import CURRENT, PREVIOUS, secret_version

STATE_FILE = "aws-state.json"
SECRET_STAGES = (CURRENT, PREVIOUS)
BATCH_WRITE_ITEMS = 25  # DynamoDB's BatchWriteItem limit
# What get_schedule returns that create_schedule takes back.
SCHEDULE_FIELDS = (
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "Target",
    "FlexibleTimeWindow",
    "ActionAfterCompletion",
    "State",
    "Description",
)


def _encode_bytes(value: Any) -> Any:
    if isinstance(value, bytes):  # DynamoDB binary attributes
        return {"$base64": base64.b64encode(value).decode()}
    raise TypeError(f"cannot save {type(value).__name__}")


def _decode_bytes(value: dict[str, Any]) -> Any:
    return base64.b64decode(value["$base64"]) if value.keys() == {"$base64"} else value


@dataclass(frozen=True)
class Counts:
    items: int
    tables: int
    secrets: int
    schedules: int

    def __str__(self) -> str:
        return (
            f"{_count(self.items, 'item')} in {_count(self.tables, 'table')}, {_count(self.secrets, 'secret')}, "
            f"{_count(self.schedules, 'pending schedule')}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class SavedState:
    def __init__(self, session: Any, endpoint_url: str, state_dir: Path):
        self.path = Path(state_dir) / STATE_FILE
        self._dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
        self._secrets = session.client("secretsmanager", endpoint_url=endpoint_url)
        self._scheduler = session.client("scheduler", endpoint_url=endpoint_url)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    # --- save --------------------------------------------------------------------------------
    def save(self) -> Counts:
        state = {"tables": self._tables(), "secrets": self._secret_values(), "schedules": self._schedules()}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, default=_encode_bytes))
        os.replace(temporary, self.path)  # a stop cut short leaves the previous file whole
        return _counts(state)

    def _tables(self) -> dict[str, list[dict[str, Any]]]:
        tables = {}
        for name in self._dynamodb.list_tables()["TableNames"]:
            items: list[dict[str, Any]] = []
            for page in self._dynamodb.get_paginator("scan").paginate(TableName=name):
                items += page["Items"]
            tables[name] = items
        return tables

    def _secret_values(self) -> dict[str, dict[str, str | bytes | None]]:
        """Each secret's current and previous versions: tokens signed before a rotation verify
        against the previous key, after a restart too."""
        names = [
            secret["Name"]
            for page in self._secrets.get_paginator("list_secrets").paginate()
            for secret in page["SecretList"]
        ]
        return {name: {stage: secret_version(self._secrets, name, stage) for stage in SECRET_STAGES} for name in names}

    def _schedules(self) -> list[dict[str, Any]]:
        schedules = []
        summaries = [
            summary
            for page in self._scheduler.get_paginator("list_schedules").paginate()
            for summary in page["Schedules"]
        ]
        for summary in summaries:
            found = self._scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
            kept = {field: found[field] for field in SCHEDULE_FIELDS if field in found}
            schedules.append({"Name": found["Name"], "GroupName": found["GroupName"], **kept})
        return schedules

    # --- restore -----------------------------------------------------------------------------
    def restore(self) -> Counts | None:
        """Puts the saved state back onto resources just created; None when nothing was saved."""
        if not self.path.exists():
            return None
        state = json.loads(self.path.read_text(), object_hook=_decode_bytes)
        existing = set(self._dynamodb.list_tables()["TableNames"])
        for table, items in state["tables"].items():
            if table not in existing:  # a table the platform no longer has
                print(f"  (not restored: table {table} no longer exists, {len(items)} items)", flush=True)
                continue
            for start in range(0, len(items), BATCH_WRITE_ITEMS):
                batch = [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_ITEMS]]
                self._dynamodb.batch_write_item(RequestItems={table: batch})
        for name, versions in state["secrets"].items():
            if not isinstance(versions, dict):  # a file saved before previous versions were kept
                versions = {"AWSCURRENT": versions}
            for stage in reversed(SECRET_STAGES):  # the previous first: putting the current moves it
                if versions.get(stage) is not None:
                    self._put_secret(name, versions[stage])
        for schedule in state["schedules"]:
            self._ensure_group(schedule["GroupName"])
            self._scheduler.create_schedule(**schedule)
        return _counts(state)

    def _put_secret(self, name: str, value: str | bytes) -> None:
        field = "SecretBinary" if isinstance(value, bytes) else "SecretString"
        try:
            self._secrets.put_secret_value(SecretId=name, **{field: value})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            self._secrets.create_secret(Name=name, **{field: value})

    def _ensure_group(self, group: str) -> None:
        if group == "default":
            return
        try:
            self._scheduler.create_schedule_group(Name=group)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise


def _counts(state: dict[str, Any]) -> Counts:
    return Counts(
        items=sum(len(items) for items in state["tables"].values()),
        tables=sum(1 for items in state["tables"].values() if items),
        secrets=len(state["secrets"]),
        schedules=len(state["schedules"]),
    )
