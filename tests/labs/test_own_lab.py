"""A lab folder written by someone else — only a scenario.py with checkpoints — runs
by path through the real CLI, and shows its snapshots in the narration and in --json."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

SCENARIO = """
import os
from labkit import checkpoint

pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
checkpoint("my-zombie", child=pid, top=True)
os.waitpid(pid, 0)
checkpoint("reaped", child=pid)
"""


def test_a_scenario_only_folder_runs_by_path(tmp_path, lab_image):
    lab = write_lab(tmp_path, "mine", SCENARIO)
    out = run_cli("run", str(lab), "--json")
    assert out.returncode == 0, out.stderr
    doc = printed(out.stdout)
    assert (
        doc["lab"] == lab.name and doc["exit_code"] == 0 and doc["checks"] == [] and doc["passed"]
    )
    first, second = doc["checkpoints"]
    child = first["data"]["child"]
    zombie = next(p for p in first["processes"] if p["pid"] == child)
    assert zombie["state"] == "Z" and first["top_tasks"]["zombie"] == 1
    assert "<defunct>" in first["ps"]
    assert all(p["pid"] != child for p in second["processes"]) and second["top"] is None
    assert not containers_of(lab.name)


def test_narration_of_a_lab_without_checks(tmp_path, lab_image):
    lab = write_lab(tmp_path, "mine", SCENARIO)
    out = run_cli("run", str(lab))
    assert out.returncode == 0, out.stderr
    assert "checkpoint my-zombie" in out.stdout and "<defunct>" in out.stdout
    assert "this lab has no checks" in out.stdout
