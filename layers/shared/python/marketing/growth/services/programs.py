"""Program settings (loyalty, referral) as staff change them: a PATCH merged into the current
settings (the defaults until first saved) and validated whole."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from marketing import clock
from marketing.errors import ValidationFailed
from marketing.growth.store import programs as store

SettingsT = TypeVar("SettingsT", bound=BaseModel)


def get(name: str, model: type[SettingsT]) -> SettingsT:
    return store.get(name, model)


def update(name: str, model: type[SettingsT], patch: BaseModel, nullable: frozenset[str] = frozenset()) -> SettingsT:
    """Applies the fields `patch` sets; null only where the setting means something by it."""
    changes = patch.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in nullable:
            raise ValidationFailed.field(field, "may not be null")
    now = clock.utcnow()
    updated = model.model_validate({**store.get(name, model).model_dump(), **changes, "updated_at": now})
    store.save(name, updated, now)
    return updated
