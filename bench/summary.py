"""The figures a benchmark checks against its targets, one line each, which `make bench`
(bench/all.py) gathers from every benchmark into one table: figure, value, target, met or not."""

from __future__ import annotations

import json

MARK = "summary "  # what starts a figure's line in a benchmark's output


def figure(name: str, value: str, target: str, met: bool | None) -> None:
    """Prints one figure; `met` None for one shown without a target."""
    verdict = "-" if met is None else "met" if met else "NOT MET"
    print(MARK + json.dumps({"figure": name, "value": value, "target": target, "verdict": verdict}), flush=True)


def parse(line: str) -> dict[str, str] | None:
    """The figure a line of output states, or None for any other line."""
    if not line.startswith(MARK):
        return None
    try:
        found = json.loads(line[len(MARK) :])
    except ValueError:
        return None
    return found if isinstance(found, dict) else None
