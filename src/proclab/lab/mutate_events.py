"""One-fact changes of the kernel's record, for the mutation test (``lab.mutate``): an event
moved in time, a signal's result, sender, target, name or handler, an exit's code or signal,
a reap's reaper, a fork's parent. Each is a dict of the fields to change (``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .kernel_record import EventKind, KernelEvent, SignalResult

MAX_EVENTS = 400  # the kernel's events each changed on their own, per run
# a signal's result changed to one a check about it must notice
OTHER_RESULT = {
    SignalResult.DELIVERED: SignalResult.IGNORED,
    SignalResult.IGNORED: SignalResult.DELIVERED,
    SignalResult.BLOCKED: SignalResult.DELIVERED,
    SignalResult.PENDING: SignalResult.DELIVERED,
    SignalResult.OVERFLOW: SignalResult.DELIVERED,
    SignalResult.LOSE_INFO: SignalResult.DELIVERED,
}


def event_edits(e: KernelEvent) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what, the fields changed) for each one-fact change of one kernel event."""
    yield f"at {e.t:.3f}s → {e.t * 1.5 + 0.5:.3f}s", {"t": e.t * 1.5 + 0.5}
    if e.kind == EventKind.SIGNAL:
        if e.result is not None:
            new = OTHER_RESULT.get(e.result, SignalResult.DELIVERED)
            yield f"result {e.result} → {new}", {"result": new}
        if e.sender_outside or e.sender is None:
            yield "sender outside → pid 1 inside", {"sender": 1, "sender_outside": False}
        else:
            yield f"sender {e.sender} → {e.sender + 1}", {"sender": e.sender + 1}
        yield f"target {e.pid} → {(e.pid or 0) + 1}", {"pid": (e.pid or 0) + 1}
        other = "SIGUSR1" if e.signal != "SIGUSR1" else "SIGUSR2"
        yield f"signal {e.signal} → {other}", {"signal": other}
        if e.handler is not None:
            yield f"handler {e.handler} → none (not taken)", {"handler": None}
    elif e.kind == EventKind.EXIT:
        if e.exit_code is not None:
            yield f"exit code {e.exit_code} → {e.exit_code + 1}", {"exit_code": e.exit_code + 1}
            yield (
                f"exit code {e.exit_code} → killed by SIGKILL",
                {"exit_code": None, "exit_signal": "SIGKILL"},
            )
        else:
            other = "SIGTERM" if e.exit_signal != "SIGTERM" else "SIGKILL"
            yield f"killed by {e.exit_signal} → {other}", {"exit_signal": other}
            yield f"killed by {e.exit_signal} → exit code 0", {"exit_signal": None, "exit_code": 0}
    elif e.kind == EventKind.REAP:
        yield f"reaper {e.reaper} → {(e.reaper or 0) + 1}", {"reaper": (e.reaper or 0) + 1}
    elif e.kind == EventKind.FORK:
        yield f"parent {e.parent} → {(e.parent or 0) + 1}", {"parent": (e.parent or 0) + 1}
