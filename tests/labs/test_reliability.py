"""No leaks, whatever happens: a harness killed (SIGKILL) or interrupted (Ctrl-C, SIGTERM)
mid-lab, a container created but never started, a scenario that hangs past its timeout.

Each test that kills or interrupts the harness runs it as a subprocess (``python -m proclab.cli``),
the others in-process; each on a tiny lab of its own, and finds that lab's containers by their proclab labels only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from proclab import run_lab
from tests.support.cli import run_cli
from tests.support.harness import Harness, run_proclab
from tests.support.tinylab import HANG, HANG_TOML, containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

QUICK = """
    from labkit import checkpoint
    checkpoint("done")
"""


@pytest.fixture
def hang_lab(tmp_path, lab_image):
    return write_lab(tmp_path, "hang", HANG, HANG_TOML.format(timeout=120))


@pytest.fixture
def quick_lab(tmp_path, lab_image):
    return write_lab(tmp_path, "quick", QUICK)


def test_sigkilled_harness_leaves_a_container_that_the_next_command_removes(hang_lab, quick_lab):
    # a subprocess: the test signals the harness process itself
    h = Harness("run", str(hang_lab))
    try:
        h.wait_for("HANGING-NOW")
        assert [c.status for c in containers_of(hang_lab.name)] == ["running"]
        os.kill(h.proc.pid, signal.SIGKILL)
        assert h.finish() == -signal.SIGKILL
    finally:
        h.kill()
    # the harness had no chance to clean up: its container is still there...
    left = containers_of(hang_lab.name)
    assert len(left) == 1, f"expected the killed run's container, found {[c.name for c in left]}"
    # ...until the next proclab command starts: its owner (host:pid:start time) is dead
    # (on a shared machine another engineer's proclab command may be that next command)
    # a fresh process: a harness sweeps what dead runs left once, when it starts (sweep_stale_once)
    nxt = run_proclab("run", str(quick_lab))
    assert nxt.returncode == 0, nxt.stdout + nxt.stderr
    assert containers_of(hang_lab.name) == []
    assert containers_of(quick_lab.name) == []


CREATE_THEN_DIE = """
import os, signal, sys
from proclab import engine
c = engine.create(engine.ContainerSpec(image=sys.argv[2], name=sys.argv[1], command=("python3", "-c", "pass"),
                                       labels={"lab": sys.argv[1]}))
print("CREATED", c.name, flush=True)
os.kill(os.getpid(), signal.SIGKILL)      # dies between create and start
"""


def test_harness_killed_between_create_and_start(tmp_path, quick_lab, lab_image):
    name = f"proclab-created-{tmp_path.name[-12:].lower()}".replace("_", "-")
    # a subprocess: the harness must die (os._exit) between create and start
    proc = subprocess.run(
        [sys.executable, "-c", CREATE_THEN_DIE, name, lab_image],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL and "CREATED" in proc.stdout, proc.stderr
    assert [c.status for c in containers_of(name)] == ["created"]
    # a fresh process: a harness sweeps what dead runs left once, when it starts (sweep_stale_once)
    nxt = run_proclab("run", str(quick_lab))
    assert nxt.returncode == 0, nxt.stdout + nxt.stderr
    assert containers_of(name) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_harness_removes_its_container_itself(hang_lab, sig):
    # a subprocess: the test signals the harness process itself
    h = Harness("run", str(hang_lab))
    try:
        h.wait_for("HANGING-NOW")
        assert len(containers_of(hang_lab.name)) == 1
        os.kill(h.proc.pid, sig)
        code = h.finish()
    finally:
        h.kill()
    assert code == 130, h.output
    assert "Interrupted: the lab's containers were removed." in h.output
    assert "Traceback" not in h.output
    assert containers_of(hang_lab.name) == [], "the interrupted harness left its container behind"


def test_ctrl_c_during_an_exec_in_the_container(tmp_path, lab_image):
    """Ctrl-C while the harness waits on a docker exec (here an action's, a long one)."""
    lab = write_lab(
        tmp_path,
        "exec",
        """
        from labkit import checkpoint
        checkpoint("hold")
    """,
        """
        [settings]
        timeout_s = 120
        [[variant]]
        name = "main"
        actions = [ { at = "hold", do = "exec", command = ["sh", "-c", "echo EXEC-STARTED > /tmp/x; sleep 60"] } ]
    """,
    )
    # a subprocess: the test signals the harness process itself
    h = Harness("run", str(lab))
    try:
        h.wait_for("checkpoint hold")
        # the action's exec starts right after the snapshot is printed; be sure it runs
        cont = containers_of(lab.name)[0]
        for _ in range(200):
            if cont.exec_run(["cat", "/tmp/x"]).output.strip() == b"EXEC-STARTED":
                break
        else:
            pytest.fail("the action's exec never started")
        os.kill(h.proc.pid, signal.SIGINT)
        code = h.finish()
    finally:
        h.kill()
    assert code == 130, h.output
    assert containers_of(lab.name) == []


def test_timeout_reports_the_table_and_the_output_so_far(tmp_path, lab_image):
    lab = write_lab(tmp_path, "timeout", HANG, HANG_TOML.format(timeout=4))
    res = run_cli("run", str(lab))
    out = res.stdout
    assert res.returncode == 1, out + res.stderr
    assert "HANGING-NOW" in out  # what the scenario printed before the timeout
    assert "checkpoint timeout" in out  # the process table at the timeout
    assert "hit its timeout (4s) after checkpoint 'started'" in " ".join(out.split())
    assert "Traceback" not in out + res.stderr
    assert containers_of(lab.name) == []

    # the same run through the API: the snapshot holds the hanging processes
    result = run_lab(lab)
    run = result.run()
    assert run.timed_out and not result.passed
    snap = run.checkpoint("timeout")
    hanging = [p for p in snap.scenario if "scenario.py" in " ".join(p.cmdline)]
    assert len(hanging) == 2 and all(p.state == "S" for p in hanging), snap.ps
    assert run.lines_with("HANGING-NOW")
    assert containers_of(lab.name) == []
