"""The kernel's own record of a run: every fork, exec, exit, reap and signal of the
container's processes, as typed events (pure: no Docker, no tracefs).

The engine's tracer (``engine/kerneltrace.py``) reads the kernel's tracepoints; the run layer
turns its lines into a ``KernelRecord`` (``lab/kernel_trace.py``) and keeps it on the run
(``RunRecord.kernel``). Lab checks read it through the run::

    run = lab.run("stop-no-handler")
    term = run.events(kind="signal", target=1, signal="SIGTERM")[0]
    expect(term.result == SignalResult.IGNORED, term.describe())
    run.exited(7)        # the exit event of pid 7 (its code, or the signal that ended it), or None
    run.reaped_by(7)     # the container pid whose wait4 reaped pid 7, or None

Times (``t``) are seconds since the run's container started, on the same clock as the
checkpoints' ``at_s`` (CLOCK_MONOTONIC): an event and a snapshot can be put in order.
Events before the start call returned (the container's boot) have a small negative ``t``.

A run without a record (no root, no tracefs, a remote engine, ``--no-trace``) has
``KernelRecord.none(why)``: its ``note`` says why, and any query raises ``NoKernelRecord``,
which a check's runner turns into *inconclusive*, never a pass or a failure.

``--json`` carries ``runs[].events`` (a list of ``KernelEvent.to_dict()``) and
``runs[].kernel_record`` (``KernelRecord.summary_dict()``: recorded, note, lost,
already_there); ``KernelRecord.from_run_dict`` reads both back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from ..errors import ProclabError
from ..jsonform import JsonForm, JsonRecord, encode_record


class EventKind(StrEnum):
    FORK = "fork"  # pid: the new process (child); parent: who forked it
    EXEC = "exec"  # pid: the process; filename: the program it became
    EXIT = "exit"  # pid: the process that ended; exit_code (exit_group's) or exit_signal
    REAP = "reap"  # pid: the process reaped; reaper: whose wait4 returned it
    SIGNAL = "signal"  # pid (= target): who the signal was for; sender, signal, result, handler
    OOM_KILL = "oom-kill"  # pid: the process the OOM killer chose
    LOST = "lost"  # the kernel's buffer overran: ``lost`` events are missing here


class SignalResult(StrEnum):
    """What the kernel did with a signal when it was sent (signal_generate's ``res``), refined
    by what followed: ``blocked`` is a queued signal the target never took while it lived."""

    DELIVERED = (
        "delivered"  # res 0: queued for the target (``handler`` says what it did, once it took it)
    )
    IGNORED = "ignored"  # res 1: dropped at once (SIG_IGN, a default-ignore signal, or pid 1 of a
    # namespace without a handler for it)
    PENDING = "pending"  # res 2: the same signal was already pending: merged into it
    OVERFLOW = "overflow"  # res 3: the real-time signal queue was full
    LOSE_INFO = "lose-info"  # res 4: queued without its siginfo
    BLOCKED = "blocked"  # res 0, but never taken before the target ended (or the record did):
    # blocked by its mask, or it ended first

    @classmethod
    def from_res(cls, res: int) -> SignalResult:
        return _RES.get(res, cls.DELIVERED)


_RES = {
    0: SignalResult.DELIVERED,
    1: SignalResult.IGNORED,
    2: SignalResult.PENDING,
    3: SignalResult.OVERFLOW,
    4: SignalResult.LOSE_INFO,
}


class HandlerKind(StrEnum):
    """The target's disposition when it took the signal (signal_deliver's ``sa_handler``)."""

    DEFAULT = "default"  # sa_handler 0, SIG_DFL: the default action (end, stop, core, or nothing)
    IGNORE = "ignore"  # sa_handler 1, SIG_IGN
    HANDLER = "handler"  # any other address: the program's own handler ran

    @classmethod
    def from_sa_handler(cls, sa_handler: int) -> HandlerKind:
        return cls.DEFAULT if sa_handler == 0 else cls.IGNORE if sa_handler == 1 else cls.HANDLER


OUTSIDE = "outside the container"  # a sender whose pid has no number in the container's namespace


@dataclass(frozen=True)
class KernelEvent(JsonRecord):
    """One thing the kernel did to one of the container's processes.

    Common fields: ``t`` (seconds since the container started), ``kind``, ``pid`` (the
    subject's container pid, None if it could not be mapped), ``host_pid``, ``mapped``
    (False: ``pid`` is unknown and the process is shown by its host pid), ``comm`` (the
    subject's command name, 15 characters at most, as the kernel keeps it).
    Kind-specific fields are None unless the kind sets them (see ``EventKind``).
    """

    # t, kind, pid, host_pid, mapped and comm always; the others when set
    json_form = JsonForm(
        digits={"t": 6, "taken_t": 6},
        sparse=True,
        always=frozenset({"t", "kind", "pid", "host_pid", "mapped", "comm"}),
        unless_set=frozenset({"sender_outside"}),
    )

    t: float
    kind: EventKind
    pid: int | None
    host_pid: int
    mapped: bool = True
    comm: str = ""
    # fork
    parent: int | None = None
    parent_host_pid: int | None = None
    parent_comm: str | None = None
    # exec
    filename: str | None = None
    # exit: the code the process passed to exit_group, or the signal that ended it
    exit_code: int | None = None
    exit_signal: str | None = None
    # reap
    reaper: int | None = None
    reaper_host_pid: int | None = None
    reaper_comm: str | None = None
    # signal (the subject is the target)
    signal: str | None = None  # "SIGTERM"; a number the name table lacks as "SIG34"
    sender: int | None = None  # container pid, None when outside or unknown
    sender_host_pid: int | None = None
    sender_comm: str | None = None
    sender_outside: bool = False  # sent from outside the container (docker stop, a host kill)
    result: SignalResult | None = None
    handler: HandlerKind | None = None  # set once the target took it (signal_deliver)
    taken_t: float | None = None  # when the target took it
    group: bool | None = (
        None  # signal_generate's group: for the whole thread group (kill), not one thread
    )
    # lost
    lost: int | None = None

    # -- names that read as the kind's own ------------------------------------
    @property
    def target(self) -> int | None:
        """A signal's target (the subject's container pid)."""
        return self.pid

    @property
    def child(self) -> int | None:
        """A fork's new process (the subject's container pid)."""
        return self.pid

    @property
    def who(self) -> str:
        """The subject as a learner reads it: ``7 sleep``, or ``host:4242 sleep`` when unmapped."""
        return _who(self.pid, self.host_pid, self.mapped, self.comm)

    @property
    def sender_who(self) -> str:
        if self.sender_outside:
            return f"{self.sender_comm or '?'} (outside)"
        return _who(
            self.sender, self.sender_host_pid, self.sender is not None, self.sender_comm or ""
        )

    @property
    def parent_who(self) -> str:
        return _who(
            self.parent, self.parent_host_pid, self.parent is not None, self.parent_comm or ""
        )

    @property
    def reaper_who(self) -> str:
        return _who(
            self.reaper, self.reaper_host_pid, self.reaper is not None, self.reaper_comm or ""
        )

    @property
    def ending(self) -> str:
        """How an exit event's process ended: killed by a signal, an exit code, or just ended."""
        return (
            f"killed by {self.exit_signal}"
            if self.exit_signal
            else f"exit code {self.exit_code}"
            if self.exit_code is not None
            else "ended"
        )

    def describe(self) -> str:
        """One line, as a check's evidence says it (the narration's line, ui.kernel_events.narrate,
        lays out the same words for a learner and adds what a signal's result means)."""
        at = f"{self.t:.3f}s"
        if self.kind == EventKind.FORK:
            return f"{at} fork: {self.parent_who} → {self.who}"
        if self.kind == EventKind.EXEC:
            return f"{at} exec: {self.who} became {self.filename}"
        if self.kind == EventKind.EXIT:
            return f"{at} exit: {self.who}, {self.ending}"
        if self.kind == EventKind.REAP:
            return f"{at} reap: {self.who} reaped by {self.reaper_who}"
        if self.kind == EventKind.SIGNAL:
            took = f", taken ({self.handler})" if self.handler else ""
            return f"{at} {self.signal}: {self.sender_who} → {self.who}: {self.result}{took}"
        if self.kind == EventKind.OOM_KILL:
            return f"{at} oom-kill: {self.who}"
        return f"{at} lost: {self.lost} events (the kernel's buffer overran)"

    # -- serialisation ---------------------------------------------------------
    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KernelEvent:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["kind"] = EventKind(d["kind"])
        if d.get("result") is not None:
            kw["result"] = SignalResult(d["result"])
        if d.get("handler") is not None:
            kw["handler"] = HandlerKind(d["handler"])
        return cls(**kw)


def _who(pid: int | None, host_pid: int | None, mapped: bool, comm: str) -> str:
    num = str(pid) if mapped and pid is not None else f"host:{host_pid}"
    return f"{num} {comm}".strip()


class NoKernelRecord(ProclabError, LookupError):
    """A check asked for the kernel's record and the run has none: the check is *inconclusive*
    (the checks' runner says so with this message), never failed and never passed."""


@dataclass(frozen=True)
class KernelRecord(JsonRecord):
    """The kernel's record of one run (one variant's container).

    ``events``: in time order. ``already_there``: container pids that existed when the
    record started (pid 1 and whatever the boot had started), so they have no fork event.
    ``lost``: events the kernel dropped (buffer overruns); a non-zero count means a missing
    event proves nothing. ``note``: empty when recorded; else why there is no record
    (``recorded`` is False and every query raises ``NoKernelRecord``).
    """

    json_form = JsonForm(keys=("recorded", "note", "lost", "already_there", "events"))

    events: tuple[KernelEvent, ...] = ()
    already_there: tuple[int, ...] = ()
    lost: int = 0
    note: str = ""
    recorded: bool = True

    @classmethod
    def none(cls, why: str) -> KernelRecord:
        """No record, and why (shown once as ``no kernel record: <why>``)."""
        return cls(note=why, recorded=False)

    # -- the query API (what checks read, through RunRecord) -----------------
    def _need(self) -> None:
        if not self.recorded:
            raise NoKernelRecord(f"no kernel record: {self.note}")

    def select(self, kind: EventKind | str | None = None, **match: Any) -> list[KernelEvent]:
        """Events of ``kind`` whose attributes equal ``match`` (any field or property:
        ``pid``, ``target``, ``child``, ``signal``, ``sender``, ``result``, ``reaper``...)."""
        self._need()
        out = []
        for e in self.events:
            if kind is not None and e.kind != kind:
                continue
            if all(getattr(e, k) == v for k, v in match.items()):
                out.append(e)
        return out

    def _first(self, kind: EventKind, pid: int) -> KernelEvent | None:
        found = self.select(kind, pid=pid)
        return found[0] if found else None

    def forked(self, pid: int) -> KernelEvent | None:
        """The fork that made ``pid`` (None: not in the record, e.g. ``already_there``)."""
        return self._first(EventKind.FORK, pid)

    def exited(self, pid: int) -> KernelEvent | None:
        """The exit of ``pid``: ``exit_code`` (exit_group's) or ``exit_signal``; None if it had not ended."""
        return self._first(EventKind.EXIT, pid)

    def reaped(self, pid: int) -> KernelEvent | None:
        """The reap of ``pid`` (its ``reaper`` and ``t``); None if no wait4 returned it."""
        return self._first(EventKind.REAP, pid)

    def reaped_by(self, pid: int) -> int | None:
        """The container pid whose wait4 reaped ``pid``; None if none did."""
        e = self.reaped(pid)
        return e.reaper if e else None

    def pids(self) -> set[int]:
        """Every mapped container pid the record names as a subject."""
        self._need()
        return {e.pid for e in self.events if e.pid is not None}

    # -- serialisation ---------------------------------------------------------
    def summary_dict(self) -> dict[str, Any]:
        """``runs[].kernel_record`` in ``--json`` (the events go in ``runs[].events``)."""
        return encode_record(self, SUMMARY_FORM)

    @property
    def event_count(self) -> int:
        return len(self.events)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KernelRecord:
        return cls(
            events=tuple(KernelEvent.from_dict(e) for e in d.get("events", ())),
            already_there=tuple(d.get("already_there", ())),
            lost=int(d.get("lost", 0)),
            note=d.get("note", ""),
            recorded=bool(d.get("recorded", True)),
        )

    @classmethod
    def from_run_dict(cls, run: dict[str, Any]) -> KernelRecord:
        """Read back a ``--json`` run (``runs[i]``); a document from before the record: none."""
        summary = run.get("kernel_record")
        if summary is None:
            return cls.none("this report was written before proclab kept the kernel's record")
        return cls.from_dict({**summary, "events": run.get("events", [])})


def ordered(events: Iterable[KernelEvent]) -> tuple[KernelEvent, ...]:
    """Events in time order (stable: the kernel's order for equal times)."""
    return tuple(sorted(events, key=lambda e: e.t))


SUMMARY_FORM = JsonForm(  # runs[].kernel_record: the record without its events, which it counts
    keys=("recorded", "note", "lost", "already_there", "event_count"),
    renamed={"event_count": "events"},
)
