"""The kernel's record of one variant's run: the engine's tracer, turned into the lab model's record.

``KernelTrace.start(host_pid, t0)`` begins recording the container whose init has that host pid
(``t0``: the run's start, ``time.monotonic()``); ``so_far()`` is the record until now (the
narration's, between checkpoints); ``stop()`` the whole record, the tracefs instances removed.
When the record cannot be kept, ``start`` raises ``NoTrace`` with the reason; ``off(why)`` is
the record a run then carries, and ``say_once`` the one line the learner sees about it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..engine.kerneltrace import RawTrace, Tracer
from ..engine.tracefs import NoTrace, why_not
from ..lab.kernel_record import KernelRecord
from ..lab.kernel_trace import TraceLine, parse_line, record_of

__all__ = ["KernelTrace", "NoTrace", "begin", "off", "say_once", "why_not", "NO_GO", "OFF"]

OFF = "turned off (--no-trace)"
NO_GO = (
    "the container never reached the harness's go (it ended first, or its lab image is older than "
    "the kernel record: 'proclab images build')"
)

_said: set[str] = set()
_said_lock = threading.Lock()


def off(why: str) -> KernelRecord:
    return KernelRecord.none(why)


def say_once(why: str) -> str | None:
    """The line to print about a missing record, the first time this process meets that reason."""
    with _said_lock:
        if why in _said:
            return None
        _said.add(why)
    return f"no kernel record: {why}"


class KernelTrace:
    """One container's record, from its init's go to its removal."""

    def __init__(self, tracer: Tracer, t0: float):
        self.tracer, self.t0 = tracer, t0
        self._parsed: list[TraceLine] = []  # the lines parsed so far (the tracer only appends)
        self._read = 0

    @classmethod
    def start(cls, host_pid: int, t0: float) -> KernelTrace:
        tracer = Tracer()
        tracer.start(host_pid)  # NoTrace: why not
        return cls(tracer, t0)

    def _record(self, raw: RawTrace, final: bool) -> KernelRecord:
        for line in raw.lines[self._read :]:
            parsed = parse_line(line)
            if parsed is not None:
                self._parsed.append(parsed)
        self._read = len(raw.lines)
        return record_of(raw, t0=self.t0, final=final, parsed=self._parsed)

    def so_far(self) -> KernelRecord:
        return self._record(self.tracer.so_far(), final=False)

    def stop(self) -> KernelRecord:
        return self._record(self.tracer.stop(), final=True)

    def close(self) -> None:
        self.tracer.close()


def begin(
    wanted: bool, host_pid: Callable[[], int], t0: float, say: Callable[[str], None]
) -> tuple[KernelTrace | None, KernelRecord]:
    """At the go: the record started (and the empty record so far), or none and why (said once)."""
    if not wanted:
        return None, off(OFF)
    try:
        trace = KernelTrace.start(host_pid(), t0)
    except NoTrace as why:
        line = say_once(str(why))
        if line:
            say(line)
        return None, off(str(why))
    return trace, trace.so_far()
