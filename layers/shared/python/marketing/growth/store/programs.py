"""Program settings (loyalty, referral): one item per program, the settings as JSON. A program
never saved reads as its defaults."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from marketing.store.table_meta import TableMeta

SettingsT = TypeVar("SettingsT", bound=BaseModel)


class ProgramRecord(Model):
    class Meta(TableMeta):
        table_env = "PROGRAMS_TABLE"

    name = UnicodeAttribute(hash_key=True)
    settings = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


def get(name: str, model: type[SettingsT]) -> SettingsT:
    try:
        record = ProgramRecord.get(name, consistent_read=True)
    except DoesNotExist:
        return model()
    return model.model_validate_json(record.settings)


def save(name: str, settings: BaseModel, updated_at: datetime) -> None:
    ProgramRecord(name, settings=settings.model_dump_json(), updated_at=updated_at).save()
