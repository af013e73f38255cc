"""queues: the --json carries the figures the checks used (the no-sentinel variant's hang is caught
by its timeout: tests/labs/test_hang_variants.py)."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_json_carries_the_figures(run_lab_cached):
    doc = as_printed(run_lab_cached("queues"))
    merged = {k: v for c in doc["checks"] for k, v in c.get("figures", {}).items()}
    assert merged["eaten"] == merged["produced"] == 9
    assert merged["consumers_sleeping"] == 2 and merged["seconds_waiting"] > 1
    assert merged["seed_get_nowait_3"] == "TypeError"
    assert merged["seen_at_join"] and max(merged["seen_at_join"]) == 9
    assert {r["variant"]: r["timed_out"] for r in doc["runs"]} == {
        "main": False,
        "no-sentinel": True,
    }
