"""A lab's runs as Chrome Trace Event Format JSON (``proclab run LAB --perfetto FILE``), the
format Perfetto's UI and trace_processor load (docs/tracing.md). Pure: it reads the runs' kernel records and
checkpoints and returns the document; writing the file is the CLI's.

The shape (see docs/tracing.md):
- one track per process: ``pid`` and ``tid`` are its host pid (unique across the lab's
  containers, where container pids repeat), named by ``process_name``/``thread_name``
  metadata as ``variant · pid N comm`` (N: its pid in the container);
- its life as a complete event (``ph: X``) from its fork (or the record's start, when it was
  already there) to its reap (or exit, or the end of the run), and inside it a ``zombie``
  slice from its exit to its reap; exec, exit and reap as instant events (``ph: i``);
- each signal as an instant event on its target's track, ``args`` naming the sender and the
  result, and a flow arrow (``ph: s`` → ``ph: f``) from the sender's track when the sender
  is one of the container's processes;
- each run's checkpoints as instant events on a track of their own.
The events are in time order (metadata first): Perfetto's trace_processor loads the file, and
the lab tests check what it finds there (tests/labs/test_perfetto_viewer.py, docs/tracing.md).
``ts`` and ``dur`` are microseconds since the first run started; runs follow one another
on that clock (from each container's start time), so variants never overlap falsely.
"""
from __future__ import annotations

from itertools import count
from typing import Any, Iterator, Sequence

from ..lab.kernel_record import EventKind, KernelEvent
from ..lab.result import LabResult, RunRecord
from .html.timeline import Life, lives_of

CHECKPOINT_PID = 10_000_000       # above any pid_max (2^22): the checkpoints' tracks never meet a process's


def _us(seconds: float) -> int:
    return max(0, round(seconds * 1_000_000))


def _life_events(run: RunRecord, label: str, variant_at: float, run_end: float,
                 flows: Iterator[int]) -> list[dict[str, Any]]:
    events = list(run.kernel.events)
    out: list[dict[str, Any]] = []
    host: dict[tuple[int, int], int] = {}          # (container pid, life) -> host pid
    for pid, found in lives_of(events).items():
        for n, (life, since) in enumerate(found):
            mine = [e for e in events if e.pid == pid and e.t >= since and (life.end_s is None or e.t <= life.end_s)]
            hp = mine[0].host_pid if mine else pid
            host[(pid, n)] = hp
            comm = mine[-1].comm if mine else ""
            out += _track(label, pid, hp, comm, life, since, variant_at, run_end, mine)
    for e in events:
        if e.kind == EventKind.SIGNAL:
            out += _signal(e, variant_at, _host_of(events, e.sender, e.t) if not e.sender_outside else None, flows)
        elif e.kind == EventKind.LOST:
            out.append({"ph": "i", "s": "g", "name": f"LOST {e.lost} events", "cat": "kernel",
                        "ts": _us(variant_at + e.t), "pid": CHECKPOINT_PID, "tid": CHECKPOINT_PID,
                        "args": {"lost": e.lost, "why": "the kernel's buffer overran: the record has gaps"}})
    return out


def _host_of(events: Sequence[KernelEvent], pid: int | None, t: float) -> int | None:
    """The host pid of container pid ``pid`` around time ``t`` (the last event naming it as a subject)."""
    if pid is None:
        return None
    found = [e for e in events if e.pid == pid and e.mapped]
    before = [e for e in found if e.t <= t]
    pick = before[-1] if before else (found[0] if found else None)
    return pick.host_pid if pick else None


def _track(variant: str, pid: int, hp: int, comm: str, life: Life, since: float, at: float, run_end: float,
           mine: list[KernelEvent]) -> list[dict[str, Any]]:
    label = f"{variant} · pid {pid} {comm}".strip()
    start = life.forked_s if life.forked_s is not None else min(since, 0.0)
    end = life.end_s if life.end_s is not None else run_end
    base = {"pid": hp, "tid": hp}
    args: dict[str, Any] = {"container_pid": pid, "host_pid": hp, "variant": variant,
                            "forked_by": life.parent, "already_there": life.forked_s is None,
                            "ended": life.how or "still running when the record ended",
                            "reaped_by": life.reaper}
    out = [{"ph": "M", "name": "process_name", **base, "args": {"name": label}},
           {"ph": "M", "name": "thread_name", **base, "args": {"name": label}},
           {"ph": "X", "name": f"{comm or 'process'} (pid {pid})", "cat": "life", "ts": _us(at + start),
            "dur": max(1, _us(at + end) - _us(at + start)), **base, "args": args}]
    if life.exited_s is not None and (life.reaped_s is not None or pid != 1):   # pid 1's parent is outside
        z_end = life.reaped_s if life.reaped_s is not None else end
        out.append({"ph": "X", "name": "zombie" if life.reaped_s is not None else "zombie (never reaped)",
                    "cat": "life", "ts": _us(at + life.exited_s),
                    "dur": max(0, _us(at + z_end) - _us(at + life.exited_s)), **base,
                    "args": {"exited": life.how, "reaped_by": life.reaper}})
    for e in mine:
        if e.kind == EventKind.EXEC:
            out.append({"ph": "i", "s": "t", "name": f"exec {e.filename}", "cat": "exec", "ts": _us(at + e.t),
                        **base, "args": {"filename": e.filename}})
        elif e.kind == EventKind.EXIT:
            out.append({"ph": "i", "s": "t", "name": life.how or "exit", "cat": "exit", "ts": _us(at + e.t), **base,
                        "args": {"exit_code": e.exit_code, "exit_signal": e.exit_signal}})
        elif e.kind == EventKind.REAP:
            out.append({"ph": "i", "s": "t", "name": f"reaped by {e.reaper}", "cat": "reap", "ts": _us(at + e.t),
                        **base, "args": {"reaper": e.reaper, "reaper_comm": e.reaper_comm}})
        elif e.kind == EventKind.OOM_KILL:
            out.append({"ph": "i", "s": "t", "name": "oom-kill", "cat": "oom", "ts": _us(at + e.t), **base, "args": {}})
    return out


def _signal(e: KernelEvent, at: float, sender_host: int | None, flows: Iterator[int]) -> list[dict[str, Any]]:
    ts = _us(at + e.t)
    args = {"signal": e.signal, "sender": e.sender_who, "sender_pid": e.sender, "sender_outside": e.sender_outside,
            "target": e.who, "result": str(e.result), "handler": str(e.handler) if e.handler else None,
            "taken_at_s": e.taken_t, "group": e.group}
    out: list[dict[str, Any]] = [{"ph": "i", "s": "t", "name": f"{e.signal} ← {e.sender_who}: {e.result}",
                                  "cat": f"signal,{e.result}", "ts": ts, "pid": e.host_pid, "tid": e.host_pid,
                                  "args": args}]
    if sender_host is not None and sender_host != e.host_pid:
        fid = next(flows)
        out += [{"ph": "s", "id": fid, "name": e.signal, "cat": "signal", "ts": ts, "pid": sender_host, "tid": sender_host},
                {"ph": "f", "bp": "e", "id": fid, "name": e.signal, "cat": "signal", "ts": ts,
                 "pid": e.host_pid, "tid": e.host_pid}]
    return out


def _checkpoints(run: RunRecord, label: str, index: int, at: float) -> list[dict[str, Any]]:
    pid = CHECKPOINT_PID + index
    out: list[dict[str, Any]] = [{"ph": "M", "name": "process_name", "pid": pid, "tid": pid,
                                  "args": {"name": f"{label} · checkpoints"}},
                                 {"ph": "M", "name": "process_sort_index", "pid": pid, "tid": pid,
                                  "args": {"sort_index": -1}}]
    out += [{"ph": "i", "s": "p", "name": f"checkpoint {cp.name}", "cat": "checkpoint", "ts": _us(at + cp.at_s),
             "pid": pid, "tid": pid, "args": {"checkpoint": cp.name, "data": {k: str(v)[:200] for k, v in cp.data.items()}}}
            for cp in run.checkpoints]
    return out


def trace_document(results: Sequence[LabResult]) -> dict[str, Any]:
    """The JSON object (``{"traceEvents": [...], ...}``) for the runs of one lab or several
    (a run is then named ``lab/variant``)."""
    runs = [(f"{r.lab}/{run.variant}" if len(results) > 1 else run.variant, run) for r in results for run in r.runs]
    flows = count(1)
    starts = [run.started_at for _, run in runs if run.started_at]
    zero = min(starts) if starts else 0.0
    earliest = min((e.t for _, run in runs for e in run.kernel.events if run.kernel.recorded), default=0.0)
    shift = max(0.0, -earliest)                      # the boot's events come a little before the start
    events: list[dict[str, Any]] = []
    notes = {}
    for i, (label, run) in enumerate(runs):
        at = (run.started_at - zero if run.started_at else 0.0) + shift
        run_end = max([run.duration_s] + [e.t for e in run.kernel.events])
        events += _checkpoints(run, label, i, at)
        if run.kernel.recorded:
            events += _life_events(run, label, at, run_end, flows)
        else:
            notes[label] = f"no kernel record: {run.kernel.note}"
    meta = [e for e in events if e["ph"] == "M"]
    by_track = sorted((e for e in events if e["ph"] != "M"),
                      key=lambda e: (e["pid"], e["tid"], e["ts"]))
    # One timeline, a flow's start before its end at the same microsecond: viewers take events of
    # equal ts in file order, and trace_processor counted every arrow as an end without a start
    # when each track was written whole (the sender's track came after the target's).
    timed = sorted(by_track, key=lambda e: (e["ts"], e["ph"] != "s"))
    return {"traceEvents": meta + timed, "displayTimeUnit": "ms",
            "otherData": {"producer": "proclab", "labs": [r.lab for r in results], "runs": [label for label, _ in runs],
                          "clock": "microseconds since the first run's container started", "no_record": notes}}
