"""locks: the oversell and the single sale are exact on every run; the --json carries
the counts and the measured price of the lock."""

from __future__ import annotations

import importlib.util

import pytest

from proclab.lab import spec as labspec
from tests.support.documents import as_printed
from tests.support.verdicts import explain


def _checks_module():
    path = labspec.resolve("locks").checks_file
    spec = importlib.util.spec_from_file_location("locks_checks_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_overlap_counter():
    """The helper the checks use to say how many were inside at once (no Docker)."""
    most = _checks_module().most_inside_at_once
    assert most([[0, 1], [1, 2], [2, 3]]) == 1  # touching spans do not overlap
    assert most([[0, 3], [1, 2], [1.5, 4]]) == 3
    assert most([[0, 1], [0.5, 2], [3, 4]]) == 2


@pytest.mark.lab
@pytest.mark.docker
def test_figures_in_json(run_lab_cached):
    result = run_lab_cached("locks")
    assert result.passed, explain(result)
    doc = as_printed(result)
    by_name = {c["name"]: c.get("figures", {}) for c in doc["checks"]}
    race = next(f for n, f in by_name.items() if n.startswith("race: without a lock"))
    locked = next(f for n, f in by_name.items() if n.startswith("locked: exactly one"))
    price = next(f for n, f in by_name.items() if n.startswith("the price"))
    assert race["tickets_sold"] == 5 and race["tickets_existed"] == 1
    assert locked["tickets_sold"] == 1 and locked["sold_out"] == 4 and locked["final_count"] == 0
    assert price["most_inside_locked"] == 1 and price["locked_s"] >= 1.0 and price["ratio"] > 0
