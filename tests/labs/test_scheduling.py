"""The scheduling lab: its --json document carries the measured-vs-predicted table."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed
from tests.support.verdicts import assert_passed

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_json_has_measured_vs_predicted_table(run_lab_cached):
    result = run_lab_cached("scheduling")
    assert_passed(result)  # inconclusive on a busy host: a skip with the reason
    doc = as_printed(result)  # exactly what --json prints
    rows = [row for c in doc["checks"] for row in c.get("figures", {}).get("table", [])]
    assert {(r["mode"], r["job"]) for r in rows} == {
        (m, j) for m in ("together", "fcfs", "sjf") for j in "ABC"
    }
    for r in rows:
        for k in (
            "measured_first_run_s",
            "predicted_first_run_s",
            "measured_finish_s",
            "predicted_finish_s",
        ):
            assert isinstance(r[k], float), (k, r)


def test_kernel_looks_like_round_robin_not_fcfs(run_lab_cached):
    """All at once, C's measured response is near RR's prediction and far from FCFS's."""
    result = run_lab_cached("scheduling")
    assert_passed(result)
    rows = {(r["mode"], r["job"]): r for c in result.checks for r in c.figures.get("table", [])}
    together_c = rows[("together", "C")]["measured_first_run_s"]
    fcfs_c = rows[("fcfs", "C")]["predicted_first_run_s"]
    assert together_c < 0.1 * fcfs_c, (together_c, fcfs_c)


def test_charts_drawn_like_priority_and_parallelism(run_lab_cached):
    """The scheduling lab draws its figures too: finish times per policy against the simulator."""
    from pathlib import Path

    result = run_lab_cached("scheduling")
    titles = [c.title for c in result.charts]
    assert any("FCFS" in t for t in titles) and any("SJF" in t for t in titles), titles
    assert titles[-1] == "average turnaround per policy (units of work)"
    fcfs = next(c for c in result.charts if "FCFS" in c.title)
    assert [b.label for b in fcfs.bars] == ["job A", "job B", "job C"]
    assert all(b.expected is not None for b in fcfs.bars)
    png = Path(result.artifacts[0])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.parent.parent.name == "scheduling"
