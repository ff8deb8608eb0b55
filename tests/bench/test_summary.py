"""`make bench`'s table is made of the figures each benchmark states on its own line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import summary


def test_a_stated_figure_reads_back_and_other_lines_are_not_figures(capsys):
    summary.figure("rate / SES rate, campaign alone", "0.97", ">= 0.95", True)
    summary.figure("compose, x plain", "17.4", "<= 10", False)
    summary.figure("contacts/s, 4 workers", "7440", "-", None)
    lines = capsys.readouterr().out.splitlines()
    assert [summary.parse(line) for line in lines] == [
        {"figure": "rate / SES rate, campaign alone", "value": "0.97", "target": ">= 0.95", "verdict": "met"},
        {"figure": "compose, x plain", "value": "17.4", "target": "<= 10", "verdict": "NOT MET"},
        {"figure": "contacts/s, 4 workers", "value": "7440", "target": "-", "verdict": "-"},
    ]
    assert summary.parse("campaign alone  0.97  >= 0.95") is None
    assert summary.parse("summary {not json") is None
