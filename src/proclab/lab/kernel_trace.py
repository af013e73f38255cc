"""From tracefs lines to the kernel's record (pure: the lines come from ``engine/tracefs.py``).

``parse_line`` reads one line of ``trace_pipe`` (with ``options/record-tgid``) into a ``TraceLine``;
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

import re
import signal as _signal
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from .kernel_record import EventKind, HandlerKind, KernelEvent, KernelRecord, SignalResult, ordered

CLONE_THREAD = 0x10000
UNKNOWN_COMM = "<...>"      # the trace's comm cache had no name for the task

_HEAD = re.compile(r"^\s*(?P<comm>.*?)-(?P<tid>\d+)\s+\(\s*(?P<tgid>\d+|-+)\)\s+\[(?P<cpu>\d+)\]\s+"
                   r"(?P<flags>\S+)\s+(?P<ts>\d+\.\d+):\s+(?P<rest>.*)$")
_HEAD_NO_TGID = re.compile(r"^\s*(?P<comm>.*?)-(?P<tid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<flags>\S+)\s+"
                           r"(?P<ts>\d+\.\d+):\s+(?P<rest>.*)$")
_LOST = re.compile(r"CPU:(?P<cpu>\d+) \[LOST (?P<n>\d+) EVENTS\]")
_BODIES = {
    "sched_process_fork": re.compile(r"comm=(?P<comm>.*) pid=(?P<pid>\d+) child_comm=(?P<child_comm>.*) "
                                     r"child_pid=(?P<child_pid>\d+)$"),
    "sched_process_exec": re.compile(r"filename=(?P<filename>.*) pid=(?P<pid>\d+) old_pid=(?P<old_pid>\d+)$"),
    "sched_process_exit": re.compile(r"comm=(?P<comm>.*) pid=(?P<pid>\d+) prio=\d+(?: group_dead=(?P<group_dead>\w+))?$"),
    "sched_process_free": re.compile(r"comm=(?P<comm>.*) pid=(?P<pid>\d+) prio=\d+$"),
    "task_newtask": re.compile(r"pid=(?P<pid>\d+) comm=(?P<comm>.*) clone_flags=(?P<clone_flags>[0-9a-f]+) "),
    "signal_generate": re.compile(r"sig=(?P<sig>\d+) errno=-?\d+ code=(?P<code>-?\d+) comm=(?P<comm>.*) "
                                  r"pid=(?P<pid>\d+) grp=(?P<grp>\d+) res=(?P<res>\d+)$"),
    "signal_deliver": re.compile(r"sig=(?P<sig>\d+) errno=-?\d+ code=(?P<code>-?\d+) "
                                 r"sa_handler=(?P<sa_handler>[0-9a-f]+) sa_flags=[0-9a-f]+$"),
    "mark_victim": re.compile(r"pid=(?P<pid>\d+) comm=(?P<comm>\S*)"),
}
_SYSCALL_ENTER = re.compile(r"^sys_(?P<name>\w+)\((?P<args>.*)\)$")
_SYSCALL_EXIT = re.compile(r"^sys_(?P<name>\w+) -> (?P<ret>0x[0-9a-f]+|-?\d+)$")

# signals whose default action ends the process (the others: ignore, stop or continue)
_NOT_FATAL = {"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGWINCH"}


def signal_name(sig: int) -> str:
    try:
        return _signal.Signals(sig).name
    except ValueError:
        return f"SIG{sig}"


@dataclass(frozen=True)
class TraceLine:
    """One line of trace_pipe: who was current (its comm, thread id and process id), when (the
    trace clock: CLOCK_MONOTONIC seconds), the event and its fields (strings, as printed).
    ``event`` is ``lost`` for the overrun marker (``fields['lost']``), ``sys_enter_NAME`` /
    ``sys_exit_NAME`` for syscalls (``args`` / ``ret``)."""

    ts: float
    event: str
    fields: Mapping[str, str]
    comm: str = ""
    tid: int = 0
    tgid: int = 0
    cpu: int = 0


def parse_line(text: str) -> TraceLine | None:
    """The line's event, or None for a line that is not one (a header, a blank, an unknown format)."""
    lost = _LOST.search(text)
    if lost and "[LOST" in text and not _HEAD.match(text):
        return TraceLine(0.0, "lost", {"lost": lost.group("n")}, cpu=int(lost.group("cpu")))
    m = _HEAD.match(text) or _HEAD_NO_TGID.match(text)
    if not m:
        return None
    tid = int(m.group("tid"))
    tgid_text = m.groupdict().get("tgid") or ""
    tgid = int(tgid_text) if tgid_text.isdigit() else tid
    rest = m.group("rest")
    head = dict(ts=float(m.group("ts")), comm=m.group("comm"), tid=tid, tgid=tgid, cpu=int(m.group("cpu")))
    enter = _SYSCALL_ENTER.match(rest)
    if enter:
        return TraceLine(event=f"sys_enter_{enter.group('name')}", fields={"args": enter.group("args")}, **head)
    leave = _SYSCALL_EXIT.match(rest)
    if leave:
        return TraceLine(event=f"sys_exit_{leave.group('name')}", fields={"ret": leave.group("ret")}, **head)
    event, _, body = rest.partition(": ")
    pattern = _BODIES.get(event)
    found = pattern.search(body) if pattern else None
    if not found:
        return None
    return TraceLine(event=event, fields={k: v for k, v in found.groupdict().items() if v is not None}, **head)


def _syscall_ret(text: str) -> int:
    """A syscall's return as printed (``0x25``, or two's complement ``0xfffffffffffffff6`` for -10)."""
    value = int(text, 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def _exit_code(args: str) -> int | None:
    m = re.search(r"error_code: (0x[0-9a-f]+|\d+)", args)
    return int(m.group(1), 0) & 0xff if m else None   # the status keeps the low 8 bits


@dataclass
class _Pending:
    """A signal event being built: the target may still take it (signal_deliver)."""

    index: int
    sig: int
    target: int          # host tgid


class _Fold:
    def __init__(self, pidmap: Mapping[int, int], outside: set[int], t0: float, comms: Mapping[int, str]):
        self.pidmap = dict(pidmap)
        self.outside = outside
        self.t0 = t0
        self.events: list[KernelEvent] = []
        self.tgid: dict[int, int] = {}             # tid -> tgid
        self.threads: set[int] = set()             # tids made by CLONE_THREAD
        self.comm: dict[int, str] = dict(comms)    # host tgid -> its comm now
        self.code: dict[int, int] = {}             # host tgid -> exit_group's code
        self.pending: list[_Pending] = []
        self.fatal: dict[int, int] = {}            # host tgid -> the fatal signal it took with the default action
        self.killed: set[int] = set()              # host tgids that took the group exit's SIGKILL
        self.lost = 0
        self.last_ts = t0

    # -- helpers
    def pid(self, host: int) -> int | None:
        return self.pidmap.get(host)

    def proc(self, tid: int) -> int:
        return self.tgid.get(tid, tid)

    def add(self, **kw: object) -> int:
        host = int(kw["host_pid"])  # type: ignore[arg-type]
        self.events.append(KernelEvent(pid=self.pid(host), mapped=host in self.pidmap, **kw))  # type: ignore[arg-type]
        return len(self.events) - 1

    # -- one line
    def take(self, ln: TraceLine) -> None:
        if ln.event == "lost":
            n = int(ln.fields["lost"])
            self.lost += n
            self.events.append(KernelEvent(self.last_ts - self.t0, EventKind.LOST, None, 0, mapped=False, lost=n))
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
            self.tgid[pid] = ln.tgid
        else:
            self.tgid[pid] = pid

    def _sched_process_fork(self, ln: TraceLine, t: float) -> None:
        child = int(ln.fields["child_pid"])
        if child in self.threads:
            return
        self.tgid[child] = child
        parent = ln.tgid
        self.comm[child] = ln.fields["child_comm"]
        self.add(t=t, kind=EventKind.FORK, host_pid=child, comm=ln.fields["child_comm"],
                 parent=self.pid(parent), parent_host_pid=parent, parent_comm=self.comm.get(parent, ln.fields["comm"]))

    def _sched_process_exec(self, ln: TraceLine, t: float) -> None:
        host = int(ln.fields["pid"])          # after exec the thread group leader's pid
        filename = ln.fields["filename"]
        self.comm[host] = filename.rsplit("/", 1)[-1][:15]
        self.add(t=t, kind=EventKind.EXEC, host_pid=host, comm=self.comm[host], filename=filename)

    def _sys_enter_exit_group(self, ln: TraceLine, t: float) -> None:
        code = _exit_code(ln.fields["args"])
        if code is not None:
            self.code[ln.tgid] = code

    def _signal_deliver(self, ln: TraceLine, t: float) -> None:
        sig, proc = int(ln.fields["sig"]), ln.tgid
        kind = HandlerKind.from_sa_handler(int(ln.fields["sa_handler"], 16))
        for p in self.pending:
            if p.target == proc and p.sig == sig:
                self.events[p.index] = replace(self.events[p.index], handler=kind, taken_t=t)
                self.pending.remove(p)
                break
        if sig == _signal.SIGKILL:
            self.killed.add(proc)
        elif kind == HandlerKind.DEFAULT and signal_name(sig) not in _NOT_FATAL:
            self.fatal[proc] = sig

    def _signal_generate(self, ln: TraceLine, t: float) -> None:
        sig, target = int(ln.fields["sig"]), self.proc(int(ln.fields["pid"]))
        sender = ln.tgid
        result = SignalResult.from_res(int(ln.fields["res"]))
        i = self.add(t=t, kind=EventKind.SIGNAL, host_pid=target, comm=self.comm.get(target, ln.fields["comm"]),
                     signal=signal_name(sig), sender=self.pid(sender), sender_host_pid=sender,
                     sender_comm=self.comm.get(sender, ln.comm), sender_outside=sender in self.outside,
                     result=result, group=ln.fields["grp"] == "1")
        if result == SignalResult.DELIVERED:
            self.pending.append(_Pending(i, sig, target))

    def _sched_process_exit(self, ln: TraceLine, t: float) -> None:
        tid = int(ln.fields["pid"])
        dead = ln.fields.get("group_dead")
        if (dead == "false") or (dead is None and tid != ln.tgid):
            return                                  # a thread ended, not the process
        proc = ln.tgid
        code, by = self.code.pop(proc, None), None
        if code is None:
            by = self._killer(proc, t)
        self.add(t=t, kind=EventKind.EXIT, host_pid=proc, comm=ln.fields["comm"], exit_code=code,
                 exit_signal=signal_name(by) if by else None)
        self._unfinished(proc)

    def _killer(self, proc: int, t: float) -> int | None:
        """The signal that ended a process that never called exit_group."""
        if proc in self.fatal:
            return self.fatal.pop(proc)
        if proc not in self.killed:
            return None
        for p in reversed(self.pending):     # the group exit's SIGKILL stands for the signal that caused it
            if p.target == proc and (p.sig == _signal.SIGKILL or signal_name(p.sig) not in _NOT_FATAL):
                self.events[p.index] = replace(self.events[p.index], handler=HandlerKind.DEFAULT, taken_t=t)
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
        self.add(t=t, kind=EventKind.OOM_KILL, host_pid=victim, comm=self.comm.get(victim, ln.fields["comm"]))

    def _sys_exit_wait4(self, ln: TraceLine, t: float) -> None:
        ret = _syscall_ret(ln.fields["ret"])
        if ret <= 0:
            return                        # an error, or WNOHANG with nothing to reap
        host = next((h for h, c in self.pidmap.items() if c == ret and self.proc(h) == h), None)
        if host is None:
            host = self._infer(ln.tgid, ret)
        reaper = ln.tgid
        self.events.append(KernelEvent(t, EventKind.REAP, ret, host or 0, mapped=True,
                                       comm=self.comm.get(host, "") if host else "",
                                       reaper=self.pid(reaper), reaper_host_pid=reaper,
                                       reaper_comm=self.comm.get(reaper, ln.comm)))

    def _infer(self, reaper: int, cpid: int) -> int | None:
        """The host pid of the child a wait4 returned, when NSpid could not be read (it was too
        short-lived): the reaper's only unmapped child that has exited and is not yet reaped."""
        reaped = {e.host_pid for e in self.events if e.kind == EventKind.REAP}
        exited = {e.host_pid for e in self.events if e.kind == EventKind.EXIT}
        kids = [e.host_pid for e in self.events if e.kind == EventKind.FORK and e.parent_host_pid == reaper
                and not e.mapped and e.host_pid in exited and e.host_pid not in reaped]
        if len(kids) != 1:
            return None
        self.pidmap[kids[0]] = cpid
        self.events = [replace(e, pid=cpid, mapped=True) if e.host_pid == kids[0] and not e.mapped else
                       replace(e, parent=cpid) if e.parent_host_pid == kids[0] else
                       replace(e, sender=cpid) if e.sender_host_pid == kids[0] and not e.sender_outside else e
                       for e in self.events]
        return kids[0]

    def finish(self) -> None:
        for p in self.pending:      # queued, never taken while the record ran
            e = self.events[p.index]
            if e.handler is None:
                self.events[p.index] = replace(e, result=SignalResult.BLOCKED)
        self.pending.clear()


def build(lines: Iterable[str], *, pidmap: Mapping[int, int], outside: Iterable[int] = (),
          comms: Mapping[int, str] | None = None,
          already_there: Iterable[int] = (), t0: float = 0.0, lost: int = 0, final: bool = True) -> KernelRecord:
    """The record of a run from its trace lines (any order: they are sorted by time; the two
    instances' lines come interleaved). ``pidmap``: host pid -> container pid; ``outside``: host
    pids known to be outside the container; ``already_there``: host pids there when the record
    began; ``comms``: host pid -> comm, read from /proc when met; ``t0``: the run's start on the trace clock (CLOCK_MONOTONIC); ``lost``: what the buffers'
    overrun counters said (the markers in the lines are counted too, the larger wins). ``final``
    False (a record while the run goes on): a queued signal not yet taken stays ``delivered``."""
    parsed = [p for p in (parse_line(ln) for ln in lines) if p is not None]
    # the overrun markers keep their place (ts 0.0 sorts them first: give them their neighbour's time)
    last = t0
    for i, p in enumerate(parsed):
        if p.event == "lost":
            parsed[i] = replace(p, ts=last)
        else:
            last = p.ts
    fold = _Fold(pidmap, set(outside), t0, comms or {})
    for ln in sorted(parsed, key=lambda p: p.ts):
        fold.take(ln)
    if final:
        fold.finish()
    there = tuple(sorted(fold.pidmap[h] for h in already_there if h in fold.pidmap))
    return KernelRecord(events=ordered(fold.events), already_there=there, lost=max(lost, fold.lost))
