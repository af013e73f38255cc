"""The kernel's events as the narration says them, one line each (pure text, no terminal).

⚡ 0.39s  SIGTERM  runc (outside) → 1 python3: ignored — pid 1 has no handler for it
"""

from __future__ import annotations

from collections.abc import Iterable

from ..lab.kernel_record import EventKind, HandlerKind, KernelEvent, KernelRecord, SignalResult

SHOWN = {"some": 8, "all": None, "none": 0}  # --events: how many lines between two checkpoints
# signals whose default action is to do nothing, stop or continue (the rest end the process)
_HARMLESS = {"SIGCHLD", "SIGCONT", "SIGURG", "SIGWINCH", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU"}


def _why(e: KernelEvent) -> str:
    if e.result == SignalResult.IGNORED:
        if e.pid == 1 and e.signal not in _HARMLESS:
            return "ignored — pid 1 has no handler"
        return "ignored — the target's disposition drops it"
    if e.result == SignalResult.BLOCKED:
        return "blocked — no handler took it (a sigwait may have)"
    if e.result == SignalResult.PENDING:
        return "merged — the same signal was already pending"
    if e.result in (SignalResult.OVERFLOW, SignalResult.LOSE_INFO):
        return f"{e.result} — the real-time signal queue was full"
    if e.handler == HandlerKind.HANDLER:
        return "delivered — its handler ran"
    if e.handler == HandlerKind.IGNORE:
        return "delivered — ignored (SIG_IGN)"
    if e.handler == HandlerKind.DEFAULT:
        return "delivered — the default action" + ("" if e.signal in _HARMLESS else ": it ended")
    return "delivered"


def narrate(e: KernelEvent) -> str:
    """One event, as the narration lays it out for a learner: the event's own words
    (lab.kernel_record) under a ⚡, and for a signal what its result means."""
    head = f"⚡ {e.t:5.2f}s  "
    if e.kind == EventKind.SIGNAL:
        return f"{head}{e.signal}  {e.sender_who} → {e.who}: {_why(e)}"
    if e.kind == EventKind.FORK:
        return f"{head}fork  {e.parent_who} → {e.who}"
    if e.kind == EventKind.EXEC:
        return f"{head}exec  {e.who}: {e.filename}"
    if e.kind == EventKind.EXIT:
        return f"{head}exit  {e.who}: {e.ending}"
    if e.kind == EventKind.REAP:
        return f"{head}reap  {e.who} by {e.reaper_who} (wait4)"
    if e.kind == EventKind.OOM_KILL:
        return f"{head}oom-kill  {e.who}: the kernel's OOM killer chose it"
    return f"{head}LOST  {e.lost} events: the kernel's buffer overran; the record has gaps"


def between(record: KernelRecord, after: float | None, until: float | None) -> list[KernelEvent]:
    """Events with ``after < t <= until`` (None: open), of the container's own processes."""
    if not record.recorded:
        return []
    return [
        e
        for e in record.events
        if (after is None or e.t > after)
        and (until is None or e.t <= until)
        and (e.mapped or e.kind == EventKind.LOST)
    ]


def lines(events: Iterable[KernelEvent], limit: int | None) -> list[str]:
    """Each event's line, up to ``limit`` (lost-event warnings always), then a count of the rest."""
    events = list(events)
    if limit is None or len(events) <= limit:
        return [narrate(e) for e in events]
    shown = [e for e in events if e.kind == EventKind.LOST]
    shown += [e for e in events if e.kind != EventKind.LOST][: max(0, limit - len(shown))]
    kept = sorted(shown, key=lambda e: e.t)
    rest = len(events) - len(kept)
    out = [narrate(e) for e in kept]
    if rest:
        out.append(f"⚡ … {rest} more events (--events all shows them)")
    return out
