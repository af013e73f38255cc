"""No docker-py exception reaches a user: a Docker call that fails mid-run becomes part of the verdict."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

SCENARIO = """
    import time
    from labkit import checkpoint
    checkpoint("ready")
    time.sleep(30)
"""
# stop ends pid 1 (the container exits), so the kill that follows meets a stopped container:
# the engine answers 409 "is not running"
STOP_THEN_KILL = """
    [settings]
    timeout_s = 20

    [[variant]]
    name = "main"
    actions = [{ at = "ready", do = "stop", grace_s = 1 }, { at = "ready", do = "kill", signal = "SIGKILL" }]
"""


def test_kill_after_pid1_has_exited_is_a_clean_verdict(tmp_path, lab_image):
    lab = write_lab(tmp_path, "killgone", SCENARIO, STOP_THEN_KILL)
    res = run_cli("run", str(lab), "--json")
    assert "Traceback" not in res.stdout + res.stderr, res.stderr
    doc = printed(res.stdout)
    stop, kill = doc["runs"][0]["actions"]
    assert stop["do"] == "stop" and stop["exit_code"] in (137, 143)
    assert kill["do"] == "kill" and "docker kill --signal SIGKILL" in kill["error"]
    assert "not running" in kill["error"] and kill["signal"] == "SIGKILL"
    narrated = run_cli("run", str(lab))
    assert "Traceback" not in narrated.stdout + narrated.stderr
    assert "how each container ended" in narrated.stdout and "not running" in narrated.stdout
    assert containers_of(lab.name) == []
