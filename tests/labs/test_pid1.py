"""pid1: the --json document carries each stop's duration and exit code, and the host-pid record."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]

ENDINGS = {"stop-no-handler": 137, "stop-init": 143, "stop-handler": 0, "kill-int": 130}


def test_json_carries_stop_durations_and_exit_codes(run_lab_cached):
    result = run_lab_cached("pid1")
    assert result.passed, explain(result)
    doc = as_printed(result)  # exactly what --json prints
    runs = {r["variant"]: r for r in doc["runs"]}
    for variant, code in ENDINGS.items():
        (act,) = [a for a in runs[variant]["actions"] if a["do"] in ("stop", "kill")]
        assert act["exit_code"] == code == runs[variant]["exit_code"], act
        assert isinstance(act["took_s"], float)
    assert (
        runs["stop-no-handler"]["actions"][0]["took_s"]
        >= runs["stop-no-handler"]["actions"][0]["grace_s"]
    )
    side = next(c for c in doc["checks"] if c["name"].startswith("side by side"))
    assert {v: side["figures"][v]["exit_code"] for v in ENDINGS} == ENDINGS


def test_json_carries_zombie_counts_and_host_pids(run_lab_cached):
    doc = as_printed(run_lab_cached("pid1"))
    checks = {c["name"]: c for c in doc["checks"]}
    growing = next(c for n, c in checks.items() if n.startswith("no init: each orphan"))
    assert growing["figures"]["zombies_psutil_ps_top"] == [[1, 1, 1], [2, 2, 2], [3, 3, 3]]
    runs = {r["variant"]: r for r in doc["runs"]}
    for variant in ("no-init", "init"):
        alive = runs[variant]["host_alive_after_exit"]
        assert alive and not any(alive.values()), alive
        last = next(
            cp for cp in doc["checkpoints"] if cp["run"] == variant and cp["name"] == "last-words"
        )
        launcher = str(last["data"]["launcher"])
        assert str(last["host_pids"][launcher]) in alive
