"""docs/shop-events.md is what the shop's engineers build against: it must name every detail
type and every field the schemas accept."""

from __future__ import annotations

from pathlib import Path

from marketing.audience.models.shop_events import DETAIL_SCHEMAS

DOC = (Path(__file__).resolve().parents[4] / "docs" / "shop-events.md").read_text()


def test_every_detail_type_and_field_is_documented():
    for detail_type, schema in DETAIL_SCHEMAS.items():
        section = DOC.split(f"## `{detail_type}`", 1)
        assert len(section) == 2, f"{detail_type} has no section"
        body = section[1].split("\n## ", 1)[0]
        for field in schema.model_fields:
            assert f"| `{field}` |" in body, f"{detail_type}.{field} is not documented"
