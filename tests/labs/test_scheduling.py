"""The scheduling lab: its --json document carries the measured-vs-predicted table."""
from __future__ import annotations

import json

import pytest

from tests.conftest import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_json_has_measured_vs_predicted_table(run_lab_cached):
    result = run_lab_cached("scheduling")
    assert result.passed, explain(result)
    doc = json.loads(json.dumps(result.to_dict()))          # exactly what --json prints
    rows = [row for c in doc["checks"] for row in c.get("figures", {}).get("table", [])]
    assert {(r["mode"], r["job"]) for r in rows} == {(m, j) for m in ("together", "fcfs", "sjf") for j in "ABC"}
    for r in rows:
        for k in ("measured_first_run_s", "predicted_first_run_s", "measured_finish_s", "predicted_finish_s"):
            assert isinstance(r[k], float), (k, r)


def test_kernel_looks_like_round_robin_not_fcfs(run_lab_cached):
    """All at once, C's measured response is near RR's prediction and far from FCFS's."""
    result = run_lab_cached("scheduling")
    rows = {(r["mode"], r["job"]): r for c in result.checks for r in c.figures.get("table", [])}
    together_c = rows[("together", "C")]["measured_first_run_s"]
    fcfs_c = rows[("fcfs", "C")]["predicted_first_run_s"]
    assert together_c < 0.1 * fcfs_c, (together_c, fcfs_c)
