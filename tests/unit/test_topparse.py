"""The top parser on real `top -b -n 1` output captured in the lab image."""

from pathlib import Path

import pytest

from proclab.snapshot.top import TopParseError, parse_rows, parse_tasks

FIX = Path(__file__).parent / "fixtures"


def test_tasks_line_counts_the_zombie():
    t = parse_tasks((FIX / "top_zombie.txt").read_text())
    assert t.zombie == 1 and t.total == t.running + t.sleeping + t.stopped + t.zombie


def test_tasks_line_mixed_states():
    t = parse_tasks((FIX / "top_mixed.txt").read_text())
    assert (t.total, t.running, t.sleeping, t.stopped, t.zombie) == (6, 2, 2, 1, 1)


def test_rows_states_and_nice():
    rows = {r.pid: r for r in parse_rows((FIX / "top_mixed.txt").read_text())}
    assert rows[9].state == "R" and rows[9].nice == -5 and rows[9].cpu_pct == 100.0
    assert rows[7].nice == 10 and rows[7].pr == "30"
    assert rows[8].state == "T"
    assert rows[11].state == "Z" and rows[11].command == "python3"
    assert rows[13].command == "top"


def test_missing_tasks_line():
    with pytest.raises(TopParseError):
        parse_tasks("top - 00:00:00 up 1 min\n")
    with pytest.raises(TopParseError):
        parse_rows("Tasks: 1 total\n")
