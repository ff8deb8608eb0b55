"""Construct ids from the catalogs' names."""

from __future__ import annotations

import re


def pascal_case(name: str) -> str:
    """ "contact-imports" or "CONTACT_IMPORTS" -> "ContactImports"."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", name) if part)
