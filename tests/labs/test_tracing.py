"""The kernel's record on the real kernel (CI runs as root): a process that lived only between two
checkpoints, every process the snapshots saw, docker stop's SIGTERM to pid 1, no tracefs instance
left behind after Ctrl-C or a killed harness, and the honest line when there is no tracefs."""

from __future__ import annotations

import os
import signal

import pytest

from proclab import run_lab
from proclab.engine import tracefs
from proclab.lab.kernel_record import EventKind, HandlerKind, SignalResult
from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.harness import Harness, run_proclab
from tests.support.tinylab import HANG, HANG_TOML, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

BETWEEN = """
    import os
    from labkit import checkpoint

    checkpoint("before")
    child = os.fork()
    if child == 0:
        os._exit(3)
    os.waitpid(child, 0)
    checkpoint("after", child=child)
"""
EVENT_CHECK = """
    from proclab.checks import check, expect

    @check("the child's exit is in the record")
    def exited(lab):
        ends = [run.exited(run.checkpoint("after").data["child"]) for run in lab.runs]
        return expect(all(ends), f"{ends}")

    @check("two checkpoints")
    def two(lab):
        return expect(all(len(run.checkpoints) == 2 for run in lab.runs), "two each")
"""


@pytest.fixture(autouse=True)
def _root_with_tracefs():
    if os.geteuid() != 0:
        pytest.skip("the kernel's record needs root (CI runs as root)")


def _narration(output: str) -> list[str]:
    """The narration's lines: up to the checks' verdicts or the timelines (which have their own notes and marks)."""
    lines = output.splitlines()
    end = next(
        (i for i, ln in enumerate(lines) if ln.startswith(("✔", "✘", "? ", "timeline of run"))),
        len(lines),
    )
    return lines[:end]


def _mine(pid: int) -> list[str]:
    """The tracefs instances of the harness process ``pid``."""
    return [p.name for p in tracefs.instances() if p.name.split("-")[3] == str(pid)]


def test_a_process_that_lived_between_two_checkpoints_is_in_the_record_and_no_snapshot(
    tmp_path, lab_image
):
    lab = write_lab(tmp_path, "between", BETWEEN)
    run = run_lab(lab).run()
    assert run.kernel.recorded, run.kernel.note
    child, parent = run.checkpoint("after").data["child"], run.checkpoint("before").announced_by
    assert all(cp.get(child) is None for cp in run.checkpoints)
    fork, end, reap = run.forked(child), run.exited(child), run.reaped(child)
    assert fork.parent == parent and fork.mapped, fork
    assert end.exit_code == 3 and reap.reaper == parent, (end, reap)
    before, after = (run.checkpoint(n).at_s for n in ("before", "after"))
    assert before < fork.t <= end.t <= reap.t < after  # the same clock as the checkpoints
    assert parent in run.kernel.already_there and run.kernel.lost == 0


def test_a_harness_keeps_its_instances_rested_and_each_run_starts_empty(tmp_path, lab_image):
    """Between runs a process keeps its instances (making and removing them was +22% on run
    --all), rested: recording nothing, following no pid; the next run's record has none of the
    last run's processes and counts no lost events of its own."""
    lab = write_lab(tmp_path, "between", BETWEEN)
    first = run_lab(lab).run()
    tracefs.wait_rested()  # resting is done in the background, off the next run's path
    kept = sorted(_mine(os.getpid()))
    assert len(kept) >= 2, kept  # the tree's and the host's, at least
    for name in kept:
        where = tracefs.root() / "instances" / name
        assert (where / "tracing_on").read_text().strip() == "0"
        assert (where / "set_event_pid").read_text().strip() == ""
        assert "1" not in (where / "events/enable").read_text()  # "0": every event is off
        if "-tree-" in name:  # the kernel keeps only the wait4s that reaped (no WNOHANG polls)
            wait4 = where / "events/syscalls/sys_exit_wait4/filter"
            assert wait4.read_text().strip() == "ret > 0"
    second = run_lab(lab).run()
    assert sorted(_mine(os.getpid())) == kept  # the same instances, none made and none removed
    assert first.kernel.recorded and second.kernel.recorded, second.kernel.note
    before = {e.host_pid for e in first.events()}
    assert before and not before & {e.host_pid for e in second.events()}
    child = second.checkpoint("after").data["child"]
    assert second.forked(child) and second.reaped(child) and second.kernel.lost == 0


# every lab of the record's issue whose processes all come from its scenario (pid1 and exec-zombies also
# docker exec processes into the container: the record follows the scenario's tree, not an exec's)
@pytest.mark.parametrize(
    "lab_name",
    [
        "zombies",
        "orphans",
        "reaping",
        "fork-basics",
        "daemons",
        "outlive-parent",
        "zombie-pileup",
        "process-exit",
        "signals",
    ],
)
def test_every_process_a_snapshot_saw_has_its_fork_and_its_end(run_lab_cached, lab_name):
    result = run_lab_cached(lab_name)
    for run in result.runs:
        assert run.kernel.recorded, run.kernel.note
        seen = {
            p.pid for cp in run.checkpoints for p in cp.scenario if p.pid not in cp.resident_pids
        }
        there = set(run.kernel.already_there)
        assert there and there <= {1, 7} | seen, there  # pid 1, and boot's pid under an init
        unborn = [pid for pid in seen - there if run.forked(pid) is None]
        endless = [pid for pid in seen if run.exited(pid) is None and run.reaped(pid) is None]
        assert not unborn and not endless, (
            run.variant,
            unborn,
            endless,
            [e.describe() for e in run.events()],
        )
        assert all(e.mapped for e in run.events() if e.pid in seen)


def test_docker_stop_sigterm_ignored_by_pid_1_and_forwarded_by_tini():
    res = run_cli("run", "pid1", "--variant", "stop-no-handler", "--variant", "stop-init", "--json")
    doc = printed(res.stdout)
    runs = {r["variant"]: r for r in doc["runs"]}
    alone = [
        e
        for e in runs["stop-no-handler"]["events"]
        if e["kind"] == "signal" and e["signal"] == "SIGTERM"
    ]
    assert [(e["pid"], e["result"], e.get("sender_outside")) for e in alone] == [
        (1, "ignored", True)
    ], alone
    kill = [e for e in runs["stop-no-handler"]["events"] if e["kind"] == "exit" and e["pid"] == 1]
    assert kill and kill[0]["exit_signal"] == "SIGKILL"
    init = [
        e for e in runs["stop-init"]["events"] if e["kind"] == "signal" and e["signal"] == "SIGTERM"
    ]
    forwarded = [e for e in init if e.get("sender") == 1 and e["pid"] != 1]
    assert [e["sender_comm"] for e in forwarded] == ["docker-init"], init
    assert (
        forwarded[0]["result"] == SignalResult.DELIVERED
        and forwarded[0]["handler"] == HandlerKind.DEFAULT
    )
    scenario = forwarded[0]["pid"]
    assert any(
        e["kind"] == EventKind.EXIT and e["pid"] == scenario and e.get("exit_signal") == "SIGTERM"
        for e in runs["stop-init"]["events"]
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_no_tracefs_instance_outlives_its_harness(tmp_path, lab_image, sig):
    hang = write_lab(tmp_path, "hang", HANG, HANG_TOML.format(timeout=120))
    # a subprocess: the test signals the harness process itself
    h = Harness("run", str(hang))
    try:
        h.wait_for("HANGING-NOW")
        assert len(_mine(h.proc.pid)) == 2, (
            tracefs.instances()
        )  # the tree and the host-wide signals
        os.kill(h.proc.pid, sig)
        h.finish()
    finally:
        h.kill()
    if (
        sig == signal.SIGKILL
    ):  # no chance to clean up: the next harness sweeps a dead owner's instances
        assert len(_mine(h.proc.pid)) == 2
        quick = write_lab(tmp_path, "quick", "from labkit import checkpoint\ncheckpoint('done')\n")
        assert run_proclab("run", str(quick)).returncode == 0
    assert _mine(h.proc.pid) == [], h.output


def test_without_tracefs_one_line_says_so_and_the_run_passes(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "notrace",
        BETWEEN,
        """
        [[variant]]
        name = "one"
        [[variant]]
        name = "two"
    """,
        checks=EVENT_CHECK,
    )
    missing = tmp_path / "no-tracefs-here"
    res = run_cli("run", str(lab), env={tracefs.ROOT_ENV: str(missing)})
    said = [ln for ln in _narration(res.output) if ln.startswith("  no kernel record")]
    assert said == [f"  no kernel record: tracefs is not mounted at {missing}"], res.output
    assert "inconclusive" in res.output and "Traceback" not in res.output
    result = run_lab(lab)  # the same lab with tracefs: both checks pass
    assert result.passed, [c.detail for c in result.checks]


def test_no_trace_turns_the_record_off(tmp_path, lab_image):
    lab = write_lab(tmp_path, "off", BETWEEN, checks=EVENT_CHECK)
    result = run_lab(lab, trace=False)
    assert (
        not result.run().kernel.recorded and result.run().kernel.note == "turned off (--no-trace)"
    )
    assert [c.status for c in result.checks] == ["inconclusive", "passed"]


def test_the_narration_shows_the_events_between_checkpoints(tmp_path, lab_image):
    lab = write_lab(tmp_path, "told", BETWEEN)
    told = run_cli("run", str(lab))
    lines = _narration(told.stdout)
    after = next(i for i, ln in enumerate(lines) if "checkpoint after" in ln)
    between = [ln.strip() for ln in lines[:after] if "⚡" in ln]
    assert any(" fork  1 python3 → " in ln for ln in between), told.stdout
    assert any(" exit  " in ln and "exit code 3" in ln for ln in between), told.stdout
    assert any(" reap  " in ln and "by 1 python3 (wait4)" in ln for ln in between), told.stdout
    assert not [
        ln for ln in _narration(run_cli("run", str(lab), "--events", "none").stdout) if "⚡" in ln
    ]


def test_the_oom_killers_choice_is_in_the_record(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "oom",
        """
        from labkit import checkpoint
        checkpoint("ready")
        hog = b"x" * (400 << 20)
    """,
        """
        [settings]
        mem_limit = "96m"
    """,
    )
    run = run_lab(lab).run()
    assert run.oom_killed and run.kernel.recorded, run.kernel.note
    (victim,) = run.events(kind="oom-kill")
    assert (
        victim.pid == 1 and run.exited(1).exit_signal == "SIGKILL" and victim.t <= run.exited(1).t
    )


FORKER = """
import os
while True:                  # a family that forks all the time: a child, its child, both gone
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            os._exit(0)
        os.wait()
        os._exit(0)
    os.wait()
"""


def test_a_tree_that_forks_while_the_record_starts_is_followed_whole(lab_image):
    """The doctor starts the record on an image already running: a process forked between the
    tracer's look at the tree and its pid filter was missed (seen once under load). Now the
    tracer looks again until nothing is new: every live process of the tree is in its pid filter."""
    import time
    import uuid

    from proclab import engine
    from proclab.engine import hostproc
    from proclab.run.tracing import KernelTrace

    spec = engine.ContainerSpec(
        image=lab_image,
        name=f"proclab-forker-{uuid.uuid4().hex[:8]}",
        command=("python3", "-c", FORKER),
        labels={"lab": "tracing"},
    )
    c = engine.create(spec)
    try:
        c.start()
        for _ in range(5):
            kt = KernelTrace.start(c.host_pid(), time.monotonic())
            try:
                alive = _tree_of(c.host_pid(), hostproc)
                followed = {
                    int(p) for p in (kt.tracer._tree.dir / "set_event_pid").read_text().split()
                }
                missing = [p for p in alive if p not in followed and os.path.exists(f"/proc/{p}")]
            finally:
                record = kt.stop()
            assert record.recorded, record.note
            assert not missing, f"processes of the tree the record does not follow: {missing}"
    finally:
        c.remove()


def _tree_of(pid, hostproc):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(int(k) for k in (hostproc.read(p, f"task/{p}/children") or "").split())
    return out
