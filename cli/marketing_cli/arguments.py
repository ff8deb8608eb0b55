"""Arguments several commands share."""

from __future__ import annotations

import argparse


def add_paging(parser: argparse.ArgumentParser) -> None:
    """`--limit` and `--next`, as every list route takes them."""
    parser.add_argument("--limit", type=int, help="page size (default 25, at most 100)")
    parser.add_argument("--next", help="cursor from the previous page")
