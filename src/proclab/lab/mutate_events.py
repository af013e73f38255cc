"""One-fact changes to a run's kernel record, for the mutation test (pure).

A check that reads the kernel's record (``run.events``, ``run.exited``, ``run.reaped_by``) is
shown to test its fact when one of these makes it fail: one event left out, or one field of one
event changed (a signal's result, its handler, its sender or its name; an exit's code or signal;
a reaper; a parent; a time).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from .kernel_record import EventKind, HandlerKind, KernelEvent, KernelRecord, SignalResult

MAX_EVENTS = 200      # per run: a burst of forks is not each its own fact


def _other_pid(pid: int | None) -> int:
    return 1 if pid != 1 else 2


def _changes(e: KernelEvent) -> Iterator[tuple[str, KernelEvent]]:
    if e.kind == EventKind.SIGNAL:
        result = SignalResult.DELIVERED if e.result != SignalResult.DELIVERED else SignalResult.IGNORED
        yield f"result {e.result}→{result}", replace(e, result=result)
        handler = HandlerKind.HANDLER if e.handler != HandlerKind.HANDLER else HandlerKind.DEFAULT
        yield f"handler {e.handler}→{handler}", replace(e, handler=handler)
        sig = "SIGKILL" if e.signal != "SIGKILL" else "SIGTERM"
        yield f"signal {e.signal}→{sig}", replace(e, signal=sig)
        if e.sender_outside:
            yield "sent from inside, by pid 1", replace(e, sender_outside=False, sender=1)
        else:
            yield f"sender {e.sender}→outside", replace(e, sender=None, sender_outside=True)
    elif e.kind == EventKind.EXIT:
        if e.exit_signal:
            sig = "SIGKILL" if e.exit_signal != "SIGKILL" else "SIGTERM"
            yield f"killed by {e.exit_signal}→{sig}", replace(e, exit_signal=sig)
            yield f"killed by {e.exit_signal}→exit code 0", replace(e, exit_signal=None, exit_code=0)
        else:
            code = (e.exit_code or 0) + 1
            yield f"exit code {e.exit_code}→{code}", replace(e, exit_code=code)
    elif e.kind == EventKind.REAP:
        yield f"reaper {e.reaper}→{_other_pid(e.reaper)}", replace(e, reaper=_other_pid(e.reaper))
    elif e.kind == EventKind.FORK:
        yield f"parent {e.parent}→{_other_pid(e.parent)}", replace(e, parent=_other_pid(e.parent))
    later = e.t * 1.5 + 0.5
    yield f"at {e.t:.3f}s→{later:.3f}s", replace(e, t=later)


def event_edits(record: KernelRecord) -> Iterator[tuple[str, KernelRecord]]:
    """(what changed, the changed record) for each one-fact change of the record's first events."""
    if not record.recorded:
        return
    events = list(record.events)
    chosen = [k for k, e in enumerate(events) if e.kind != EventKind.LOST][:MAX_EVENTS]
    for k in chosen:
        e = events[k]
        name = f"event {e.kind} of {e.who} at {e.t:.3f}s"
        yield f"{name} left out", replace(record, events=tuple(events[:k] + events[k + 1:]))
        for what, new in _changes(e):
            changed = events[:k] + [new] + events[k + 1:]
            yield f"{name}: {what}", replace(record, events=tuple(sorted(changed, key=lambda x: x.t)))
