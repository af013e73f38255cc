"""The kernel's record as the doctor's evidence (issue 30 item 4): for each signal the doctor had
sent (docker stop's), who received it and what became of it, what pid 1 sent on, and who died of
SIGKILL at the namespace's end without having been told. Pure: reads a KernelRecord."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..lab.kernel_record import EventKind, HandlerKind, KernelEvent, KernelRecord, SignalResult
from ..lab.result import CheckResult
from .words import result

NAME = "the kernel's record of docker stop"


@dataclass
class Story:
    """What the record says of one stop: the events in words, and who was never told."""
    lines: list[str] = field(default_factory=list)
    told: set[int] = field(default_factory=set)                 # container pids the stop signal reached
    killed_untold: list[KernelEvent] = field(default_factory=list)   # exits by SIGKILL of processes never told


def _fate(e: KernelEvent) -> str:
    if e.result == SignalResult.IGNORED:
        return ("dropped by the kernel (pid 1 with no handler)" if e.pid == 1 else
                "dropped by the kernel (SIG_IGN, or it was already ending)")
    if e.result == SignalResult.BLOCKED:
        return "queued, and taken without a handler running (sigwait, as an init does) or never"
    if e.handler == HandlerKind.HANDLER:
        return "delivered to its handler"
    if e.handler == HandlerKind.DEFAULT:
        return "delivered: its default action"
    if e.handler == HandlerKind.IGNORE:
        return "delivered, and ignored (SIG_IGN)"
    return str(e.result or "sent")


def story(rec: KernelRecord, signal: str, since_t: float) -> Story:
    """The record from the stop's moment (since_t, seconds since the container's start) on."""
    s = Story()
    sigs = [e for e in rec.select(EventKind.SIGNAL) if e.t >= since_t - 0.05 and e.signal == signal]
    for e in sigs:
        src = "docker (outside)" if e.sender_outside else e.sender_who
        s.lines.append(f"{e.signal} from {src} to {e.who}: {_fate(e)}")
        if e.result != SignalResult.IGNORED and e.pid is not None:
            s.told.add(e.pid)
    for e in rec.select(EventKind.EXIT):
        if e.t >= since_t - 0.05 and e.exit_signal == "SIGKILL" and e.pid not in s.told:
            s.killed_untold.append(e)
    return s


def kernel_check(rec: KernelRecord | None, signal: str, since_t: float | None) -> CheckResult | None:
    """A note with the record's account of the stop; None when there was no stop to tell of."""
    if rec is None or since_t is None:
        return None
    if not rec.recorded:
        return result(NAME, "note", f"no kernel record ({rec.note}): the forwarding verdict is an inference "
                      "from timing and exit codes", recorded=False)
    st = story(rec, signal, since_t)
    killed = "; ".join(f"{e.who} died of SIGKILL at the namespace's end, never having got {signal}"
                       for e in st.killed_untold)
    lost = f" ({rec.lost} event(s) lost: an absence proves nothing)" if rec.lost else ""
    text = "; ".join(st.lines) or f"no {signal} was recorded"
    return result(NAME, "note", text + (f"; {killed}" if killed else "") + lost, recorded=True,
                  signals=st.lines, killed_untold=[e.who for e in st.killed_untold], lost=rec.lost)
