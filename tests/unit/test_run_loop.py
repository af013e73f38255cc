"""The run loop (run/variant.py) against a fake engine: its reader thread, queue, deadline and
timeout paths, each case in milliseconds. The fake (tests/support/fakeengine.py) replays the
real checkpoint protocol; tests/labs/ runs the same loop against Docker."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from proclab.lab import spec as labspec
from proclab.lab.events import Observer
from proclab.lab.outputstore import OutputLimits
from proclab.lab.result import RunRecord
from proclab.run.variant import VariantRun
from proclab.snapshot.protocol import MARK
from tests.support.fakeengine import Checkpoint, Exit, FakeEngine, Flood, Hang, Print
from tests.support.tinylab import write_lab

FAST = 5.0  # a generous ceiling: each case takes milliseconds


def _spec(tmp_path: Path, timeout_s: float = 10) -> labspec.LabSpec:
    folder = write_lab(
        tmp_path,
        "fake",
        "print('never run: the engine is a fake')\n",
        toml=f"[settings]\ntimeout_s = {timeout_s}\n",
    )
    return labspec.load(folder)


class Seen(Observer):
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.checkpoints: list[str] = []
        self.finished = 0

    def output(self, run: RunRecord, line: Any) -> None:
        self.lines.append(line.text)

    def checkpoint(self, run: RunRecord, snap: Any) -> None:
        self.checkpoints.append(snap.name)

    def run_finished(self, run: RunRecord) -> None:
        self.finished += 1


def _run(
    tmp_path: Path, fake: FakeEngine, obs: Observer | None = None, timeout_s: float = 10
) -> RunRecord:
    spec = _spec(tmp_path, timeout_s)
    t = time.monotonic()
    rec = VariantRun(
        spec, spec.variants[0], "proclab/lab:fake", obs or Seen(), trace=False, engine=fake
    ).execute()
    assert time.monotonic() - t < FAST
    assert fake.left() == []
    return rec


def test_a_scenario_that_prints_checkpoints_and_exits(tmp_path):
    obs = Seen()
    fake = FakeEngine(
        [Print("hello\n"), Checkpoint("forked", {"child": 7}), Print("bye\n"), Exit(3)]
    )
    rec = _run(tmp_path, fake, obs)
    assert [s.name for s in rec.checkpoints] == ["forked"], rec.error
    assert (
        rec.error == "the scenario exited 3 after checkpoint 'forked'; if the lab means it, "
        "declare expect_exit = 3 in its variant"
    )
    assert rec.checkpoints[0].data == {"child": 7}
    assert rec.exit_code == 3 and not rec.timed_out
    assert [o.text for o in rec.output] == ["hello", "bye"] and obs.lines == ["hello", "bye"]
    assert rec.checkpoints[0].probe.path == "resident"
    assert obs.finished == 1


def test_a_checkpoint_line_split_across_reads(tmp_path):
    """Cut inside the mark, inside the JSON and before the newline, with stderr between."""
    cuts = (3, len(MARK) + 5, len(MARK) + 20)
    fake = FakeEngine(
        [
            Print("err-a", "stderr"),
            Checkpoint("split", {"k": "v"}, cuts=cuts),
            Print("-b\n", "stderr"),
            Exit(0),
        ]
    )
    rec = _run(tmp_path, fake)
    assert [s.name for s in rec.checkpoints] == ["split"] and rec.checkpoints[0].data == {"k": "v"}
    assert [(o.stream, o.text) for o in rec.output] == [("stderr", "err-a-b")]
    assert not any(MARK.strip() in o.text for o in rec.output)


def test_a_flood_past_the_deadline(tmp_path):
    """Output that never stops: the run ends at its timeout, its output bounded, one last look
    taken, and the container removed (the reader drains and then ends with the stream)."""
    fake = FakeEngine([Checkpoint("started"), Flood()])
    rec = _run(tmp_path, fake, timeout_s=0.5)  # room for the checkpoint on a busy host
    assert rec.timed_out
    assert [s.name for s in rec.checkpoints] == ["started", "timeout"]
    assert rec.output_dropped_lines > 0
    limits = OutputLimits()
    assert len(rec.output) == limits.head_lines + limits.tail_lines


def test_a_hang_past_the_deadline(tmp_path):
    fake = FakeEngine([Checkpoint("started"), Print("HANGING\n"), Hang()])
    rec = _run(tmp_path, fake, timeout_s=0.5)
    assert rec.timed_out and rec.exit_code is None
    assert [s.name for s in rec.checkpoints] == ["started", "timeout"]
    assert [o.text for o in rec.output] == ["HANGING"]


def test_a_scenario_that_exits_during_a_snapshot(tmp_path):
    fake = FakeEngine([Checkpoint("last"), Exit(0)])

    def exit_when_asked(c: Any) -> None:
        c.on_probe = lambda line: line.startswith("snapshot") and c.exit(9)

    fake.prepare = exit_when_asked
    rec = _run(tmp_path, fake)
    assert not rec.timed_out
    assert rec.exit_code == 9
    assert rec.checkpoints == [] and "not running" in (rec.error or "")


def test_a_probe_that_dies_hands_over_to_the_exec_probe(tmp_path):
    fake = FakeEngine([Checkpoint("one"), Checkpoint("two"), Exit(0)])

    def kill_the_resident(c: Any) -> None:
        def asked(line: str) -> None:
            if line.startswith("snapshot"):
                c.resident.dead = True

        c.on_probe = asked

    fake.prepare = kill_the_resident
    rec = _run(tmp_path, fake)
    assert rec.exit_code == 0 and rec.error is None
    assert [s.name for s in rec.checkpoints] == ["one", "two"]
    assert [s.probe.path for s in rec.checkpoints] == ["exec", "exec"]
    assert "the resident probe failed" in rec.checkpoints[0].probe.note
    assert any("labkit.probe" in cmd for cmd in fake.made[0].execs[0])


# -- Ctrl-C at each stage: it reaches the caller, and the container is always removed -----
def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


class CtrlCOn(Seen):
    def __init__(self, event: str) -> None:
        super().__init__()
        self.event = event

    def output(self, run: RunRecord, line: Any) -> None:
        if self.event == "output":
            raise KeyboardInterrupt

    def checkpoint(self, run: RunRecord, snap: Any) -> None:
        if self.event == "checkpoint":
            raise KeyboardInterrupt


SCRIPT = [Print("a line\n"), Checkpoint("cp"), Print("more\n"), Exit(0)]


@pytest.mark.parametrize(
    "stage",
    ["create", "start", "streaming", "snapshot", "checkpoint shown", "probe close", "removal"],
)
def test_ctrl_c_at_each_stage_removes_the_container(tmp_path, stage):
    fake = FakeEngine(list(SCRIPT), on_create=_interrupt if stage == "create" else None)
    obs = CtrlCOn({"streaming": "output", "checkpoint shown": "checkpoint"}.get(stage, ""))

    def prepare(c: Any) -> None:
        if stage == "start":
            c.on_start = _interrupt
        if stage == "snapshot":
            c.on_probe = lambda line: line.startswith("snapshot") and _interrupt()
        if stage == "probe close":
            c.on_probe = None
            real_exec = c.exec_attached

            def attached(cmd: list[str]) -> Any:
                r = real_exec(cmd)
                r.close = _interrupt
                return r

            c.exec_attached = attached
        if stage == "removal":
            c.on_remove = lambda: c.removals == 1 and _interrupt()

    fake.prepare = prepare
    spec = _spec(tmp_path)
    t = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        VariantRun(
            spec, spec.variants[0], "proclab/lab:fake", obs, trace=False, engine=fake
        ).execute()
    assert time.monotonic() - t < FAST
    assert fake.left() == []
    assert len(fake.made) == (0 if stage == "create" else 1)


def test_ctrl_c_in_the_checks_reaches_the_caller_after_the_container_is_gone(tmp_path):
    """The checks run once every container is removed; a Ctrl-C there is a Ctrl-C, not a check
    that 'took longer than its limit'."""
    from proclab.lab.checking import Check, run_checks
    from proclab.lab.result import LabResult

    fake = FakeEngine(list(SCRIPT))
    rec = _run(tmp_path, fake)
    result = LabResult(lab="fake", title="fake", path=str(tmp_path), lesson="", runs=[rec])
    with pytest.raises(KeyboardInterrupt):
        run_checks([Check("interrupted", _interrupt)], result, timeout_s=FAST)
    assert fake.left() == []
