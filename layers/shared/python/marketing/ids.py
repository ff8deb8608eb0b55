"""Opaque identifiers."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A prefixed random id (`tpl_…`): 96 random bits, URL-safe, readable in logs."""
    return f"{prefix}_{secrets.token_hex(12)}"
