"""Run a homework exercise on the kernel: a generated lab folder, run like any lab, read back by name.

The scenarios live beside the models (``homework/kernel/*_scenario.py``); this module writes one
into a throwaway lab folder with its inputs (``actions.json``), runs it, and turns each
checkpoint's table into what the model predicts (a tree of names, or states per process).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ProclabError
from ..homework.forktree import ROOT, Action
from ..homework.procreal import RealRun, sample_from
from ..homework.procrun import Tick
from ..lab.events import Observer
from ..lab.result import LabResult
from ..snapshot import Snapshot
from .runner import run_lab

SCENARIOS = Path(__file__).resolve().parent.parent / "homework" / "kernel"


def _run(scenario: str, inputs: dict[str, Any], toml: str, name: str, observer: Observer | None) -> LabResult:
    folder = Path(tempfile.mkdtemp(prefix="proclab-homework-")) / name
    try:
        folder.mkdir()
        shutil.copy(SCENARIOS / scenario, folder / "scenario.py")
        (folder / "actions.json").write_text(json.dumps(inputs))
        (folder / "lab.toml").write_text(toml)
        result = run_lab(folder, observer=observer)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    run = result.runs[0]
    if run.error or run.timed_out or run.exit_code != 0:
        why = run.error or ("it timed out" if run.timed_out else f"it exited {run.exit_code}")
        tail = " | ".join(o.text for o in run.output[-3:])
        raise ProclabError(f"the {name} exercise did not run on the kernel: {why}; {tail}")
    return result


def tree_of(snap: Snapshot) -> dict[str, list[str]]:
    """{name: [children]} of the named processes in a checkpoint's table."""
    names: dict[str, int] = snap.data["names"]
    by_pid = {pid: name for name, pid in names.items()}
    out: dict[str, list[str]] = {name: [] for name in names}
    for name, pid in names.items():
        proc = snap.get(pid)
        if proc is None or name == ROOT:
            continue
        parent = by_pid.get(proc.ppid, f"pid {proc.ppid}")      # a parent outside the tree says so
        out.setdefault(parent, []).append(name)
    return {k: sorted(v) for k, v in sorted(out.items())}


FORK_TOML = """title = "fork/exit actions on the kernel"
[settings]
init = true
timeout_s = 60
pids_limit = 256
"""


def fork_trees(actions: list[Action], mode: str, observer: Observer | None = None,
               refused: list[bool] | None = None) -> list[dict[str, list[str]]]:
    """The kernel's tree of names after each action; a refused action (an exit under ``-L`` of a
    process with children) is not carried out, and the table is read after it all the same."""
    refused = refused or [False] * len(actions)
    inputs = {"mode": mode, "actions": [{"actor": a.actor, "child": a.child, "refused": r}
                                        for a, r in zip(actions, refused)]}
    result = _run("fork_scenario.py", inputs, FORK_TOML, "forktree", observer)
    return [tree_of(cp) for cp in result.checkpoints if cp.name.startswith("after-")]


PROCRUN_TOML = """title = "process-run programs on the kernel"
[settings]
init = true
timeout_s = {timeout_s}
"""


def _letters(snap: Snapshot) -> dict[int, str]:
    """The kernel's letter for each named worker's pid that is still in the table."""
    return {int(pid): proc.state for pid in snap.data["names"].values() if (proc := snap.get(int(pid))) is not None}


def procrun_real(programs: list[str], io_length: int, tick_ms: float, ticks: list[Tick],
                 observer: Observer | None = None) -> RealRun:
    """Run the programs as real processes on one CPU; the kernel's states at each sample, beside ``ticks``."""
    inputs = {"programs": programs, "io_length": io_length, "tick_ms": tick_ms}
    # the model's time, stretched for time-sharing and the pauses at checkpoints, plus start-up
    timeout_s = 60 + len(ticks) * tick_ms / 1000 * 10
    result = _run("procrun_scenario.py", inputs, PROCRUN_TOML.format(timeout_s=round(timeout_s)), "processrun",
                  observer)
    cps = result.checkpoints
    after = {cp.data["after_previous"].get("name"): cp.data["after_previous"].get("phases") for cp in cps
             if cp.data.get("after_previous")}
    samples = tuple(sample_from(cp.name, cp.data, _letters(cp), after.get(cp.name), ticks, tick_ms)
                    for cp in cps if cp.name.startswith(("sample-", "io-")))
    end = next((cp for cp in cps if cp.name == "end"), None)
    if end is None:
        raise ProclabError("the process-run exercise ended without its 'end' checkpoint; see the run's output")
    label = {name: f"PID {i}" for i, name in enumerate(end.data["names"])}    # the model's names: p0 is PID 0
    return RealRun(names=tuple(label.values()), samples=samples, tick_ms=tick_ms,
                   wall_ms=float(end.data["elapsed_ms"]), paused_ms=float(end.data["paused_ms"]),
                   exit_codes={label[name]: code for name, code in end.data["exit_codes"].items()},
                   cpu=next((cp.data.get("cpu") for cp in cps if cp.name == "start"), None))
