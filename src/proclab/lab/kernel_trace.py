"""From tracefs lines to the kernel's record (pure: the lines come from ``engine/kerneltrace.py``).

``lab/trace_lines.py`` reads each line of ``trace_pipe`` into a ``TraceLine``;
``build`` folds a run's lines, in time order, into a ``KernelRecord`` in the container's pids.

What each event means here (docs/tracing.md says more):

- ``task_newtask`` (clone_flags) tells a thread (CLONE_THREAD) from a process; a thread's fork
  is no fork event.
- ``sched_process_fork`` is a fork; ``sched_process_exec`` an exec.
- ``sys_enter_exit_group`` carries the code the process chose; ``sched_process_exit`` with
  ``group_dead=true`` is the process's end (the last of its threads).
- A process that ends without exit_group was killed: by the fatal signal it took with the default
  action (``signal_deliver`` with ``sa_handler=0``), or, when the kernel turned the group exit into
  a SIGKILL, by the last fatal signal generated for it and never handled.
- ``signal_generate`` (the sender is the current task; ``res`` is the result) is a signal event;
  the target's later ``signal_deliver`` of the same signal says how it was taken (``sa_handler``).
- ``sys_exit_wait4`` returning a pid (the reaper's namespace: the container's) is the reap.
- ``sched_process_free`` is *not* used: it runs in an RCU callback, in whatever task was current,
  so its context says nothing about who reaped whom.
- ``CPU:N [LOST M EVENTS]``: the buffer overran; M events are missing.
"""

from __future__ import annotations

import signal as _signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from .kernel_record import EventKind, HandlerKind, KernelEvent, KernelRecord, SignalResult, ordered
from .trace_lines import (
    CLONE_THREAD,
    NOT_FATAL,
    UNKNOWN_COMM,
    TraceLine,
    exit_code,
    parse_line,
    signal_name,
    syscall_ret,
)

__all__ = ["Kept", "TraceLine", "build", "build_parsed", "parse_line", "record_of", "signal_name"]


@dataclass
class _Pending:
    """A signal event being built: the target may still take it (signal_deliver)."""

    index: int
    sig: int
    target: int  # host tgid


class _Fold:
    def __init__(
        self,
        pidmap: Mapping[int, int],
        outside: set[int],
        t0: float,
        comms: Mapping[int, str],
        tgids: Mapping[int, int] | None = None,
    ):
        self.pidmap = dict(pidmap)
        self.outside = outside
        self.t0 = t0
        self.events: list[KernelEvent] = []
        # tid -> tgid: first what /proc said of each task the tracer met, then the lines' own column,
        # which is a cache the kernel may not have updated for a reused pid (a new process once showed
        # the tgid of an old thread with its pid, and its signals went to a process that was not there)
        self.tgid: dict[int, int] = dict(tgids or {})
        self.threads: set[int] = set()  # tids made by CLONE_THREAD
        self.comm: dict[int, str] = dict(comms)  # host tgid -> its comm now
        self.code: dict[int, int] = {}  # host tgid -> exit_group's code
        self.pending: list[_Pending] = []
        self.fatal: dict[
            int, int
        ] = {}  # host tgid -> the fatal signal it took with the default action
        self.killed: set[int] = set()  # host tgids that took the group exit's SIGKILL
        self.lost = 0
        self.last_ts = t0
        self.by_cpid: dict[
            int, list[int]
        ] = {}  # container pid -> its host pids (a pid reused: several)
        for host, cpid in self.pidmap.items():
            self.by_cpid.setdefault(cpid, []).append(host)
        self.exited: set[int] = set()
        self.reaped: set[int] = set()
        self.unmapped_kids: dict[
            int, list[int]
        ] = {}  # parent host pid -> its children NSpid missed
        self.inferred: dict[int, int] = {}  # host pid -> container pid, from a wait4

    # -- helpers
    def pid(self, host: int) -> int | None:
        return self.pidmap.get(host)

    def proc(self, tid: int) -> int:
        return self.tgid.get(tid, tid)

    def add(self, **kw: Any) -> int:  # KernelEvent's fields
        host = int(kw["host_pid"])
        self.events.append(KernelEvent(pid=self.pid(host), mapped=host in self.pidmap, **kw))
        return len(self.events) - 1

    # -- one line
    def take(self, ln: TraceLine) -> None:
        if ln.event == "lost":
            n = int(ln.fields["lost"])
            self.lost += n
            self.events.append(
                KernelEvent(self.last_ts - self.t0, EventKind.LOST, None, 0, mapped=False, lost=n)
            )
            return
        self.last_ts = ln.ts
        if ln.tid and ln.tgid:
            self.tgid.setdefault(ln.tid, ln.tgid)
            if ln.tid == ln.tgid and ln.comm != UNKNOWN_COMM:
                self.comm.setdefault(ln.tgid, ln.comm)
        handler = getattr(self, "_" + ln.event, None)
        if handler is not None:
            handler(ln, ln.ts - self.t0)

    def _task_newtask(self, ln: TraceLine, t: float) -> None:
        pid = int(ln.fields["pid"])
        if int(ln.fields["clone_flags"], 16) & CLONE_THREAD:
            self.threads.add(pid)
            self.tgid[pid] = self.proc(ln.tid)
        else:
            self.tgid[pid] = pid

    def _sched_process_fork(self, ln: TraceLine, t: float) -> None:
        child = int(ln.fields["child_pid"])
        if child in self.threads:
            return
        self.tgid[child] = child
        parent = self.proc(ln.tid)
        self.comm[child] = ln.fields["child_comm"]
        if child not in self.pidmap:
            self.unmapped_kids.setdefault(parent, []).append(child)
        self.add(
            t=t,
            kind=EventKind.FORK,
            host_pid=child,
            comm=ln.fields["child_comm"],
            parent=self.pid(parent),
            parent_host_pid=parent,
            parent_comm=self.comm.get(parent, ln.fields["comm"]),
        )

    def _sched_process_exec(self, ln: TraceLine, t: float) -> None:
        host = int(ln.fields["pid"])  # after exec the thread group leader's pid
        filename = ln.fields["filename"]
        self.comm[host] = filename.rsplit("/", 1)[-1][:15]
        self.add(t=t, kind=EventKind.EXEC, host_pid=host, comm=self.comm[host], filename=filename)

    def _sys_enter_exit_group(self, ln: TraceLine, t: float) -> None:
        code = exit_code(ln.fields["args"])
        if code is not None:
            self.code[self.proc(ln.tid)] = code

    def _signal_deliver(self, ln: TraceLine, t: float) -> None:
        sig, proc = int(ln.fields["sig"]), self.proc(ln.tid)
        kind = HandlerKind.from_sa_handler(int(ln.fields["sa_handler"], 16))
        for p in self.pending:
            if p.target == proc and p.sig == sig:
                self.events[p.index] = replace(self.events[p.index], handler=kind, taken_t=t)
                self.pending.remove(p)
                break
        if sig == _signal.SIGKILL:
            self.killed.add(proc)
        elif kind == HandlerKind.DEFAULT and signal_name(sig) not in NOT_FATAL:
            self.fatal[proc] = sig

    def _signal_generate(self, ln: TraceLine, t: float) -> None:
        sig, target = int(ln.fields["sig"]), self.proc(int(ln.fields["pid"]))
        sender = self.proc(ln.tid)
        result = SignalResult.from_res(int(ln.fields["res"]))
        i = self.add(
            t=t,
            kind=EventKind.SIGNAL,
            host_pid=target,
            comm=self.comm.get(target, ln.fields["comm"]),
            signal=signal_name(sig),
            sender=self.pid(sender),
            sender_host_pid=sender,
            sender_comm=self.comm.get(sender, ln.comm),
            sender_outside=sender in self.outside,
            result=result,
            group=ln.fields["grp"] == "1",
        )
        if result == SignalResult.DELIVERED:
            self.pending.append(_Pending(i, sig, target))

    def _sched_process_exit(self, ln: TraceLine, t: float) -> None:
        tid = int(ln.fields["pid"])
        dead = ln.fields.get("group_dead")
        if (dead == "false") or (dead is None and tid != self.proc(tid)):
            return  # a thread ended, not the process
        proc = self.proc(ln.tid)
        self.exited.add(proc)
        code, by = self.code.pop(proc, None), None
        if code is None:
            by = self._killer(proc, t)
        self.add(
            t=t,
            kind=EventKind.EXIT,
            host_pid=proc,
            comm=ln.fields["comm"],
            exit_code=code,
            exit_signal=signal_name(by) if by else None,
        )
        self._unfinished(proc)

    def _killer(self, proc: int, t: float) -> int | None:
        """The signal that ended a process that never called exit_group."""
        if proc in self.fatal:
            return self.fatal.pop(proc)
        if proc not in self.killed:
            return None
        for p in reversed(
            self.pending
        ):  # the group exit's SIGKILL stands for the signal that caused it
            if p.target == proc and (
                p.sig == _signal.SIGKILL or signal_name(p.sig) not in NOT_FATAL
            ):
                self.events[p.index] = replace(
                    self.events[p.index], handler=HandlerKind.DEFAULT, taken_t=t
                )
                self.pending.remove(p)
                return p.sig
        return _signal.SIGKILL

    def _unfinished(self, proc: int) -> None:
        """Signals queued for a process that ended without taking them."""
        for p in [p for p in self.pending if p.target == proc]:
            self.events[p.index] = replace(self.events[p.index], result=SignalResult.BLOCKED)
            self.pending.remove(p)
        self.fatal.pop(proc, None)
        self.killed.discard(proc)

    def _mark_victim(self, ln: TraceLine, t: float) -> None:
        victim = self.proc(int(ln.fields["pid"]))
        self.add(
            t=t,
            kind=EventKind.OOM_KILL,
            host_pid=victim,
            comm=self.comm.get(victim, ln.fields["comm"]),
        )

    def _sys_exit_wait4(self, ln: TraceLine, t: float) -> None:
        ret = syscall_ret(ln.fields["ret"])
        if ret <= 0:
            return  # an error, or WNOHANG with nothing to reap
        hosts = [h for h in self.by_cpid.get(ret, ()) if self.proc(h) == h and h not in self.reaped]
        host = next((h for h in hosts if h in self.exited), hosts[0] if hosts else None)
        if host is None:
            host = self._infer(self.proc(ln.tid), ret)
        if host is not None:
            self.reaped.add(host)
        reaper = self.proc(ln.tid)
        self.events.append(
            KernelEvent(
                t,
                EventKind.REAP,
                ret,
                host or 0,
                mapped=True,
                comm=self.comm.get(host, "") if host else "",
                reaper=self.pid(reaper),
                reaper_host_pid=reaper,
                reaper_comm=self.comm.get(reaper, ln.comm),
            )
        )

    def _infer(self, reaper: int, cpid: int) -> int | None:
        """The host pid of the child a wait4 returned, when NSpid could not be read (it was too
        short-lived): the reaper's only unmapped child that has exited and is not yet reaped."""
        kids = [
            k
            for k in self.unmapped_kids.get(reaper, ())
            if k in self.exited and k not in self.reaped and k not in self.pidmap
        ]
        if len(kids) != 1:
            return None
        self.pidmap[kids[0]] = self.inferred[kids[0]] = cpid
        return kids[0]

    def _patch(self, e: KernelEvent) -> KernelEvent:
        """An event made before a wait4 told its process's container pid, given it."""
        got = self.inferred
        if e.host_pid in got and not e.mapped and e.kind != EventKind.LOST:
            e = replace(e, pid=got[e.host_pid], mapped=True)
        if e.parent_host_pid in got and e.parent is None:
            e = replace(e, parent=got[e.parent_host_pid])
        if e.reaper_host_pid in got and e.reaper is None:
            e = replace(e, reaper=got[e.reaper_host_pid])
        if e.sender_host_pid in got and e.sender is None and not e.sender_outside:
            e = replace(e, sender=got[e.sender_host_pid])
        return e

    def finish(self, final: bool) -> list[KernelEvent]:
        """The events, each given what later lines told (a pid from a wait4; a signal never taken)."""
        if self.inferred:
            self.events = [self._patch(e) for e in self.events]
        if not final:
            return self.events
        for p in self.pending:  # queued, never taken while the record ran
            e = self.events[p.index]
            if e.handler is None:
                self.events[p.index] = replace(e, result=SignalResult.BLOCKED)
        self.pending.clear()
        return self.events


class Kept(Protocol):
    """What a tracer kept (``engine.kerneltrace.RawTrace``), seen from here without importing it."""

    lines: list[str]
    pidmap: dict[int, int]
    outside: set[int]
    comms: dict[int, str]
    tgids: dict[int, int]
    already_there: list[int]
    lost: int


def record_of(
    kept: Kept, *, t0: float, final: bool, parsed: list[TraceLine] | None = None
) -> KernelRecord:
    """The record of what a tracer kept, every part of it used: its tgids above all, which /proc gave
    while each task lived. Without them the fold falls back on the lines' tgid column, a cache the
    kernel may not have updated for a reused pid (the doctor's record once named a pid that was not
    there as tini's: its forwarding came out as docker's). ``parsed``: ``kept.lines`` already parsed."""
    return build_parsed(
        parsed if parsed is not None else [p for p in map(parse_line, kept.lines) if p is not None],
        pidmap=kept.pidmap,
        outside=kept.outside,
        comms=kept.comms,
        already_there=kept.already_there,
        t0=t0,
        lost=kept.lost,
        final=final,
        tgids=kept.tgids,
    )


def build(
    lines: Iterable[str],
    *,
    pidmap: Mapping[int, int],
    outside: Iterable[int] = (),
    comms: Mapping[int, str] | None = None,
    already_there: Iterable[int] = (),
    t0: float = 0.0,
    lost: int = 0,
    final: bool = True,
    tgids: Mapping[int, int] | None = None,
) -> KernelRecord:
    """The record of a run from its trace lines (any order: they are sorted by time; the two
    instances' lines come interleaved). ``pidmap``: host pid -> container pid; ``outside``: host
    pids known to be outside the container; ``already_there``: host pids there when the record
    began; ``comms``: host pid -> comm, read from /proc when met; ``t0``: the run's start on the trace clock (CLOCK_MONOTONIC); ``lost``: what the buffers'
    overrun counters said (the markers in the lines are counted too, the larger wins). ``final``
    False (a record while the run goes on): a queued signal not yet taken stays ``delivered``."""
    return build_parsed(
        [p for p in (parse_line(ln) for ln in lines) if p is not None],
        pidmap=pidmap,
        outside=outside,
        comms=comms,
        already_there=already_there,
        t0=t0,
        lost=lost,
        final=final,
        tgids=tgids,
    )


def build_parsed(
    parsed: list[TraceLine],
    *,
    pidmap: Mapping[int, int],
    outside: Iterable[int] = (),
    comms: Mapping[int, str] | None = None,
    already_there: Iterable[int] = (),
    t0: float = 0.0,
    lost: int = 0,
    final: bool = True,
    tgids: Mapping[int, int] | None = None,
) -> KernelRecord:
    """``build`` from lines already parsed (a record read again and again keeps them).
    ``tgids``: tid -> tgid as /proc said when the tracer met each task (trusted over the lines')."""
    parsed = list(parsed)
    # the overrun markers keep their place (ts 0.0 sorts them first: give them their neighbour's time)
    last = t0
    for i, p in enumerate(parsed):
        if p.event == "lost":
            parsed[i] = replace(p, ts=last)
        else:
            last = p.ts
    fold = _Fold(pidmap, set(outside), t0, comms or {}, tgids)
    for ln in sorted(parsed, key=lambda p: p.ts):
        fold.take(ln)
    events = fold.finish(final)
    there = tuple(sorted(fold.pidmap[h] for h in already_there if h in fold.pidmap))
    return KernelRecord(events=ordered(events), already_there=there, lost=max(lost, fold.lost))
