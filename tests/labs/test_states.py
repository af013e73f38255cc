"""states: the --json document carries the state letters its checks used."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_json_carries_states(run_lab_cached):
    result = run_lab_cached("states")
    assert result.passed, explain(result)
    doc = as_printed(result)
    figs = {c["name"]: c.get("figures", {}) for c in doc["checks"]}
    d = next(v for k, v in figs.items() if k.startswith("D without privileges"))
    assert d["states"] == ["D", "D", "T"]
    stopped = next(v for k, v in figs.items() if k.startswith("SIGSTOP makes"))
    assert stopped["stopped_cpu_s"][0] == stopped["stopped_cpu_s"][1]
    assert stopped["twin_cpu_s"][1] > stopped["twin_cpu_s"][0]
    seen = next(v for k, v in figs.items() if k.startswith("psutil and ps"))["states"]
    assert seen["running"].count("R") == 2 and "T" in seen["stopped"] and "Z" in seen["zombie"]
    assert "D" in seen["uninterruptible"]
