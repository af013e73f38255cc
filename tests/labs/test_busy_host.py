"""A busy host: waiting on the lab lock is said at once and timed; a CPU-timing lab run while
this test burns every CPU is inconclusive or passed, never failed for physics, and never
passed without the measurement."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import threading
import time

import pytest

from proclab import run_lab
from proclab.lab.events import Observer
from proclab.run.lock import WAIT_EXCLUSIVE
from tests.support.cli import run_cli
from tests.support.documents import as_printed, printed
from tests.support.harness import proclab_cmd
from tests.support.tinylab import write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

EXCLUSIVE_LAB = (
    "from labkit import checkpoint\ncheckpoint('ran')\n",
    "[settings]\nexclusive = true\ntimeout_s = 30\n",
)


class Held:
    """The lab lock at PROCLAB_LOCK, held by the test as another lab would hold it."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def test_a_lab_waiting_on_the_lock_says_so_at_once_and_times_it(tmp_path, monkeypatch, lab_image):
    monkeypatch.setenv("PROCLAB_LOCK", str(tmp_path / "lock"))
    lab = write_lab(tmp_path, "waits", *EXCLUSIVE_LAB)
    held = Held(tmp_path / "lock")
    said, lines = threading.Event(), []

    class Watch(Observer):
        def progress(self, line: str) -> None:
            lines.append(line)
            if line == WAIT_EXCLUSIVE:
                said.set()

    got = {}
    worker = threading.Thread(
        target=lambda: got.setdefault("result", run_lab(lab, observer=Watch()))
    )
    started = time.monotonic()
    try:
        worker.start()
        assert said.wait(60), f"no waiting line; progress was {lines}"
        assert "result" not in got  # it is still waiting: the line came before the run
        held.release()
        worker.join(60)
    finally:
        held.release()
    result = got["result"]
    assert result.verdict == "passed" and [cp.name for cp in result.checkpoints] == ["ran"]
    assert 0 < result.lock_wait_s < time.monotonic() - started
    assert any(ln.startswith("waited ") and "for the lab lock" in ln for ln in lines)
    assert as_printed(result)["lock_wait_s"] == round(result.lock_wait_s, 3)


def test_the_cli_shows_the_wait_on_stderr_and_in_json(tmp_path, lab_image):
    lab = write_lab(tmp_path, "waits", *EXCLUSIVE_LAB)
    held = Held(tmp_path / "lock")
    env = {**os.environ, "PROCLAB_LOCK": str(tmp_path / "lock"), "PYTHONUNBUFFERED": "1"}
    # a subprocess: the test is about the process's stderr, a real pipe read while the run still waits
    proc = subprocess.Popen(
        proclab_cmd("run", str(lab), "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        seen = []
        for line in proc.stderr:  # a real pipe: the line must come before the wait ends
            seen.append(line)
            if "waiting for the other labs" in line:
                break
        assert seen and "waiting for the other labs" in seen[-1], seen
        held.release()
        out, err = proc.communicate(timeout=120)
    finally:
        held.release()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "for the lab lock" in err  # "waited 0.0s for the lab lock": the wait was brief here
    doc = printed(out)
    assert doc["lock_wait_s"] >= 0 and doc["verdict"] == "passed"


INCONCLUSIVE_CHECKS = """
from proclab.checks import check, expect, inconclusive

@check("the scenario exits 0")
def exits(lab):
    return expect(lab.exit_code == 0, f"exit code {lab.exit_code}")

@check("two CPUs run at once")
def at_once(lab):
    inconclusive("only 0.61 of 2 CPUs were free in the window", free_cpus=0.61)
"""


def test_the_cli_exits_0_for_inconclusive_and_1_with_strict(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "incon",
        "from labkit import checkpoint\ncheckpoint('ran')\n",
        checks=INCONCLUSIVE_CHECKS,
    )
    told = run_cli("run", str(lab))
    assert told.returncode == 0, told.stdout + told.stderr
    assert "? inconclusive: two CPUs run at once" in told.stdout and "0.61 of 2 CPUs" in told.stdout
    assert "INCONCLUSIVE" in told.stdout and "1 passed, 1 inconclusive" in told.stdout
    strict = run_cli("run", str(lab), "--json", "--strict")
    assert strict.returncode == 1, strict.stderr
    doc = printed(strict.stdout)
    assert doc["verdict"] == "inconclusive" and doc["passed"] is False
    assert [c["status"] for c in doc["checks"]] == ["passed", "inconclusive"]
    assert doc["checks"][1]["figures"] == {"free_cpus": 0.61}


def burn(deadline: float) -> None:
    while time.monotonic() < deadline:
        pass


class Burners(Observer):
    """One CPU-burning host process per CPU, started when the lab's first container starts (after
    the lab lock: another engineer's lab may hold it for minutes), each bounded by a deadline."""

    def __init__(self, seconds: float = 120):
        self.seconds, self.procs = seconds, []

    def run_started(self, spec, variant, settings) -> None:
        if not self.procs:
            ctx = multiprocessing.get_context("fork")
            self.procs = [
                ctx.Process(target=burn, args=(time.monotonic() + self.seconds,), daemon=True)
                for _ in range(os.cpu_count() or 2)
            ]
            for b in self.procs:
                b.start()

    def stop(self) -> None:
        for b in self.procs:
            b.terminate()
        for b in self.procs:
            b.join(10)


@pytest.mark.timeout(900)  # the lab lock may be busy with other CPU-timing labs for minutes
def test_priority_on_a_burning_host_is_inconclusive_never_failed(lab_image):
    """Every CPU burns while priority measures: its physics checks cannot be measured."""
    burners = Burners()
    try:
        result = run_lab("priority", variants=["one-cpu", "two-cpus"], observer=burners)
    finally:
        burners.stop()
    assert burners.procs, "the lab never started a container"
    missing = "has no run of variant"  # the checks of the variants not run here
    physics = [c for c in result.checks if missing not in c.detail]
    assert not [c for c in physics if c.failed], "\n".join(
        f"{c.name}: {c.detail}" for c in physics if c.failed
    )
    assert any(c.inconclusive for c in physics), [(c.name, c.status) for c in physics]
    for c in physics:
        if c.inconclusive:
            assert (
                "CPUs free" in c.detail and c.figures["free_cpus"] < c.figures["needed_free_cpus"]
            )
        if c.passed and "free_cpus" in c.figures:  # a pass only with the measurement
            assert c.figures["free_cpus"] >= 1.7, c
    assert "measuring again (2 of 3)" in result.output
    two = [cp for cp in result.run("two-cpus").checkpoints if cp.name == "window-end"]
    assert 1 <= len(two) <= 3 and [cp.data["attempt"] for cp in two] == list(range(1, len(two) + 1))
