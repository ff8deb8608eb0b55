"""Every benchmark, one after the other, then one table of the figures they check: figure, value,
target, met or not (issue 20, item 7). `make bench` runs this; each benchmark's own output is shown
as it runs. The whole run's time is a figure too: at most 15 minutes on 2 cores. It fails only if a
benchmark breaks: a target missed is a figure to read, not an error.

    .venv/bin/python bench/all.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from summary import parse  # noqa: E402

TARGET_MINUTES = 15
RUNS = [
    ["cold_start.py", "--instructions", "--runs", "3"],  # instructions: the target's figure, the same every run
    [
        "segment_evaluation.py",
        "--contacts",
        "50000",
        "--contacts",
        "200000",
        "--workers",
        "1",
        "--workers",
        "2",
        "--workers",
        "4",
    ],
    ["campaign_send.py", "--contacts", "1000"],  # per-recipient figures: the same at 10,000, 10x the time
    ["compose.py"],
    ["send_rate.py", "--contacts", "600"],
]


def run(arguments: list[str]) -> tuple[list[dict[str, str]], int]:
    """Runs one benchmark, echoing its output; the figures it stated and its exit status."""
    print(f"\n=== {' '.join(arguments)}", flush=True)
    figures = []
    with subprocess.Popen(
        [sys.executable, str(BENCH / arguments[0]), *arguments[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=BENCH.parent,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            stated = parse(line)
            if stated is None:
                print(line, end="", flush=True)
            else:
                figures.append(stated)
    return figures, process.returncode


def main() -> int:
    started = time.monotonic()
    rows: list[dict[str, str]] = []
    broken = []
    for arguments in RUNS:
        run_started = time.monotonic()
        figures, status = run(arguments)
        print(f"=== {arguments[0]} took {time.monotonic() - run_started:.0f} s", flush=True)
        rows += figures
        if status != 0 and not figures:
            broken.append(arguments[0])
            rows.append({"figure": arguments[0], "value": f"exit {status}", "target": "runs", "verdict": "NOT MET"})
    minutes = (time.monotonic() - started) / 60
    rows.append(
        {
            "figure": "make bench, whole run",
            "value": f"{minutes:.1f} min",
            "target": f"<= {TARGET_MINUTES} min",
            "verdict": "met" if minutes <= TARGET_MINUTES else "NOT MET",
        }
    )
    columns = ("figure", "value", "target", "verdict")
    widths = {column: max(len(column), *(len(row[column]) for row in rows)) for column in columns}
    print("\n=== summary")
    for row in [dict(zip(columns, columns, strict=True)), *rows]:
        print("  ".join(row[column].ljust(widths[column]) for column in columns).rstrip())
    return 1 if broken else 0  # a target missed is a figure to read; a benchmark that broke is a failure


if __name__ == "__main__":
    sys.exit(main())
