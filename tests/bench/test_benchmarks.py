"""Each benchmark runs at its smallest size and prints its verdict line. Their figures are read
from their output by whoever runs `make bench`, never asserted here: this only keeps a script
from breaking unnoticed (one did, when a helper it imported was renamed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("arguments", "verdict"),
    [
        # Two functions (the API with its first-use probes, a worker) keep the script whole; every
        # worker and schedule is imported at cold start by tests/unit/functions/test_cold_start.py.
        (
            ["bench/cold_start.py", "--runs", "2", "--only", "api.app", "--only", "workers.ses_events"],
            "worst function ratio:",
        ),
        (
            ["bench/segment_evaluation.py", "--contacts", "100", "--workers", "1", "--workers", "2"],
            "worst read units per contact:",
        ),
        (["bench/campaign_send.py", "--contacts", "20"], "send path:"),
        (["bench/compose.py", "--emails", "20", "--rounds", "3"], "compose per email:"),
    ],
    ids=["cold_start", "segment_evaluation", "campaign_send", "compose"],
)
def test_a_benchmark_runs_and_prints_its_verdict(arguments, verdict):
    result = subprocess.run(
        [sys.executable, *arguments], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert verdict in result.stdout
