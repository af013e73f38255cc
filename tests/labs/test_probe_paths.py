"""The two snapshot paths: the resident probe (the default, fast) and one docker exec per
checkpoint (PROCLAB_PROBE=exec, and the fallback). Real containers, real processes."""

from __future__ import annotations

import uuid

import psutil
import pytest

from proclab import engine, run_lab
from proclab.engine import ContainerSpec, hostproc
from proclab.run import probe
from proclab.snapshot import Snapshot
from tests.support.documents import as_printed
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def shape(snap: Snapshot) -> list[tuple[int, str, str, tuple[str, ...]]]:
    """The scenario's table without its pid numbers (the resident probe takes a pid the
    exec path does not, so later pids differ): each process's depth, state, name and command."""
    by_pid = {p.pid: p for p in snap.scenario}

    def depth(pid: int) -> int:
        d, seen = 0, set()
        while pid in by_pid and pid not in seen:
            seen.add(pid)
            pid, d = by_pid[pid].ppid, d + 1
        return d

    # running or sleeping is a moment of the scheduler (tini wakes each second), not a fact
    # of the table: compare only zombie, stopped and the rest
    return sorted(
        (depth(p.pid), "live" if p.state in "RSD" else p.state, p.name, p.cmdline)
        for p in snap.scenario
    )


@pytest.mark.parametrize("lab", ["zombies", "orphans"])
def test_both_paths_see_the_same_tables(lab, lab_image, monkeypatch):
    monkeypatch.setenv(probe.MODE_ENV, "exec")
    slow = run_lab(lab)
    monkeypatch.setenv(probe.MODE_ENV, "resident")
    fast = run_lab(lab)
    assert slow.passed, explain(slow)
    assert fast.passed, explain(fast)
    assert [cp.name for cp in slow.checkpoints] == [cp.name for cp in fast.checkpoints]
    for a, b in zip(slow.checkpoints, fast.checkpoints, strict=False):
        assert a.probe and a.probe.path == "exec" and not a.probe.resident_pids
        assert b.probe and b.probe.path == "resident" and len(b.probe.resident_pids) == 1, b.probe
        assert shape(a) == shape(b), (
            f"checkpoint {a.name}: exec saw {shape(a)}, resident saw {shape(b)}"
        )
        assert (a.top is None) == (b.top is None)
        # ps agrees with psutil on the scenario's processes on both paths
        for snap in (a, b):
            ps_pids = sorted(r.pid for r in snap.ps_rows if r.pid not in snap.probe_pids)
            assert ps_pids == snap.pids(), (
                f"{snap.name} ({snap.probe.path}): ps {ps_pids} vs psutil {snap.pids()}"
            )
        # the resident probe is in the table, marked as the probe's, out of every check's view
        (rp,) = b.probe.resident_pids
        row = b.get(rp)
        assert row is not None and row.probe and row.ppid == 0 and "labkit.resident" in row.cmdline
        assert rp not in b.pids()
    # one resident probe per container: the same process at every checkpoint of a run
    for run in fast.runs:
        assert len({cp.probe.resident_pids for cp in run.checkpoints}) == 1
    # and the JSON says which path, in the shape the issue asks for
    doc = as_printed(fast)["checkpoints"][0]["probe"]
    assert doc["path"] == "resident" and doc["overhead_ms"] > 0 and doc["spread_ms"] >= 0


@pytest.fixture
def sleeper(lab_image):
    """A lab-image container doing nothing for a while: least privilege, as a lab's."""
    spec = ContainerSpec(
        image=lab_image,
        name=f"proclab-probe-test-{uuid.uuid4().hex[:6]}",
        command=("python3", "-c", "import time; time.sleep(300)"),
        labels={"lab": "probe-test"},
        user="lab",
        init=True,
    )
    c = engine.create(spec)
    c.start()
    yield c
    c.remove()


def _host_process(prober: probe.Prober) -> psutil.Process:
    hpid = prober.resident_host_pid
    if not hpid or hostproc.root() != "/proc" or hostproc.create_time(hpid) is None:
        pytest.skip(
            "the engine's processes are not in this /proc (a remote engine, or the compose harness)"
        )
    return psutil.Process(hpid)


def _gone(proc: psutil.Process, timeout: float = 10) -> bool:
    try:
        proc.wait(
            timeout=timeout
        )  # not our child: psutil watches until it has left the host's table
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        return False
    return True


def test_the_resident_probe_goes_with_its_container(sleeper):
    prober = probe.Prober(sleeper, "resident")
    got = prober.snapshot(top=False, release_fifo=None)
    assert got.path == "resident"
    proc = _host_process(prober)
    assert "labkit.resident" in " ".join(proc.cmdline())
    prober.close()  # as a run ends: close its stdin, then remove the container
    sleeper.remove()
    assert _gone(proc), f"the resident probe (host pid {proc.pid}) outlived its container"


def test_closing_the_prober_ends_the_resident_probe(sleeper):
    prober = probe.Prober(sleeper, "resident")
    prober.snapshot(top=False, release_fifo=None)
    proc = _host_process(prober)
    prober.close()
    assert _gone(proc), "the resident probe did not exit when its stdin closed"
    assert sleeper.status() == "running"


def test_a_killed_resident_probe_hands_over_to_the_exec_probe(sleeper):
    prober = probe.Prober(sleeper, "resident")
    first = prober.snapshot(top=False, release_fifo=None)
    (rp,) = first.doc["resident_pids"]
    assert sleeper.exec(["kill", "-KILL", str(rp)]).exit_code == 0
    second = prober.snapshot(top=True, release_fifo=None)
    assert second.path == "exec" and "resident probe failed" in second.note, second
    assert rp not in {p["pid"] for p in second.doc["processes"]}
    assert second.doc["top"] and "Tasks:" in second.doc["top"]
    info = second.info(1.0)
    assert info.path == "exec" and info.note and not info.resident_pids
    prober.close()


def test_a_misspelt_probe_path_is_a_usage_error(monkeypatch, lab_image):
    from proclab.errors import UsageError

    monkeypatch.setenv(probe.MODE_ENV, "fastest")
    with pytest.raises(UsageError, match="PROCLAB_PROBE='fastest'"):
        run_lab("fork-basics")


@pytest.mark.parametrize("path", probe.PATHS)
def test_a_scenario_cannot_hide_a_process_behind_the_shell_mark(
    path, tmp_path, lab_image, monkeypatch
):
    """The learner-shell mark (PROCLAB_SHELL=1 in a process's environment) counts only once
    proclab opened a shell in the container: before that, a process carrying it is the scenario's."""
    from tests.support.tinylab import write_lab

    scenario = """
        import os, subprocess
        from labkit import checkpoint
        hidden = subprocess.Popen(["sleep", "60"], env={**os.environ, "PROCLAB_SHELL": "1"})
        checkpoint("marked", pid=hidden.pid)
        hidden.kill()
        hidden.wait()
    """
    monkeypatch.setenv(probe.MODE_ENV, path)
    result = run_lab(write_lab(tmp_path, "marked", scenario, "[settings]\ninit = true\n"))
    cp = result.checkpoint("marked")
    assert cp.probe is not None and cp.probe.path == path
    assert cp.data["pid"] in cp.pids() and cp.data["pid"] not in cp.probe_pids, cp.probe_pids
