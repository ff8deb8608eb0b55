"""What DynamoDB charges for reads, worked out from item sizes (the rules in the DynamoDB
developer guide: "Item sizes" and "Read request units"), so a scan's cost can be reported where
ConsumedCapacity is missing or made up (moto reports a constant)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

READ_UNIT_BYTES = 4096


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "B":
        return len(data)
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "BS"):
        return sum(len(item.encode() if isinstance(item, str) else item) for item in data)
    if kind == "NS":
        return sum(_value_size({"N": item}) for item in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(item) for item in data)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_size(item) for name, item in data.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, dict[str, Any]]) -> int:
    """Bytes DynamoDB counts for an item in its wire format: names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


@dataclass
class ScanCost:
    """What a scan read, and what it cost: computed from item sizes (per page, rounded up to 4 KB,
    halved for eventually consistent reads) and as DynamoDB reported it."""

    pages: int = 0
    items: int = 0
    bytes: int = 0
    read_units: float = 0.0
    reported_read_units: float = 0.0

    def add_page(self, items: list[dict[str, Any]], consumed: dict[str, Any] | None, consistent: bool) -> None:
        page_bytes = sum(item_size(item) for item in items)
        self.pages += 1
        self.items += len(items)
        self.bytes += page_bytes
        self.read_units += math.ceil(page_bytes / READ_UNIT_BYTES) * (1.0 if consistent else 0.5)
        self.reported_read_units += float((consumed or {}).get("CapacityUnits", 0.0))

    def merge(self, other: ScanCost) -> None:
        for field in ("pages", "items", "bytes", "read_units", "reported_read_units"):
            setattr(self, field, getattr(self, field) + getattr(other, field))

    def per_item(self) -> float:
        return self.read_units / self.items if self.items else 0.0
