"""pipes: the --json carries the figures the checks used (the one-end-open variant's hang is caught
by its timeout: tests/labs/test_hang_variants.py)."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_json_carries_the_figures(run_lab_cached):
    doc = as_printed(run_lab_cached("pipes"))
    merged = {k: v for c in doc["checks"] for k, v in c.get("figures", {}).items()}
    assert merged["received"] == 10 and merged["saw_eof"] is True
    assert merged["duplex"] == ["socket"] and merged["one_way"] == "pipe"
    assert merged["reader_state"] == "S" and merged["seconds_waiting"] > 1
    assert merged["recv_on_closed_end"].startswith("OSError")
    assert {r["variant"]: r["timed_out"] for r in doc["runs"]} == {
        "main": False,
        "one-end-open": True,
    }
