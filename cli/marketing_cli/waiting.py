"""Following long work from the command line: poll a resource until it is done, showing progress
on stderr (a bar redrawn in place on a terminal, a line every few seconds otherwise)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

BAR_WIDTH = 30


def bar(done: int, total: int | None) -> str:
    if not total:
        return f"{done} rows"
    filled = min(BAR_WIDTH, BAR_WIDTH * done // total)
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {100 * done // total:3d}%"


def follow(
    fetch: Callable[[], Any],
    finished: Callable[[Any], bool],
    describe: Callable[[Any], str],
    interval: float = 0.5,
    timeout: float = 3600,
) -> Any:
    """Calls `fetch` until `finished` says so (or `timeout` seconds pass); returns the last result."""
    interactive = sys.stderr.isatty()
    deadline, last_line = time.monotonic() + timeout, 0.0
    while True:
        current = fetch()
        line = describe(current)
        if interactive:
            print(f"\r{line}\033[K", end="", file=sys.stderr, flush=True)
        elif finished(current) or time.monotonic() - last_line > 5:
            print(line, file=sys.stderr, flush=True)
            last_line = time.monotonic()
        if finished(current):
            if interactive:
                print(file=sys.stderr)
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not finished after {timeout:.0f} s: {line}")
        time.sleep(interval)
