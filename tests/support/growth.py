"""Orders of signed-in customers, published as shop events and handled in-process."""

from __future__ import annotations

from tests.support.automations import publish


def order_paid(aws, order_id: str, total: str, user_id: str, email: str, **extra) -> None:
    detail = {
        "order_id": order_id,
        "email": email,
        "user_id": user_id,
        "total": total,
        "paid_at": "2026-11-20T10:00:00Z",
    }
    publish(aws, "order.paid", {**detail, **extra})
