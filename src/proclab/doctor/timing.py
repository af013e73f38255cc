"""Where an examination's time went: one span per step and container, from the examination's
start (bench/doctor.py prints them; so does `proclab doctor --timings`). Steps of the two
containers overlap: the spans say when each began, not only how long it took."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from ..jsonform import JsonForm, JsonRecord
from ..lab.image_settings import StepTime


class Step(StrEnum):
    IMAGE = "image inspect"  # the image's configuration (entrypoint, STOPSIGNAL, HEALTHCHECK)
    KIT = "kit"  # the busybox kit's tar (the user's cache, or the helper image)
    CREATE = "create"  # engine create, and the kit copied in (stop container)
    INSPECT = "container inspect"  # what the engine started, and its limits
    START = "start"  # attach + engine start
    TRACE_SETUP = "kernel record set-up"  # tracefs instances, pid filter, events on
    READY = "up"  # readiness: HEALTHCHECK, --ready-log, or a quiet table
    SNAPSHOT = "snapshot"  # the busybox dump of /proc (ready, orphan-exited, before-stop)
    ORPHAN = "orphan"  # made, adopted, watched until reaped (or the reap deadline)
    MASKS = "signal masks"  # SigCgt/SigIgn/SigBlk, and sigwait's set
    SIGNAL_WAIT = "signal + wait"  # docker stop (its grace period included) or docker kill + wait
    ENDING = "ending"  # exit code, OOM-killed, FinishedAt: the engine's word
    TRACE_READ = "kernel record read"  # tracing off, the rest read, instances removed, parsed
    REMOVE = "remove"  # the containers removed, side by side


@dataclass(frozen=True)
class Span(JsonRecord):
    json_form = JsonForm(digits={"start_s": 3, "took_s": 3})

    container: str  # "stop", "sigint", or "" for a step of the examination as a whole
    step: Step
    start_s: float  # since the examination began
    took_s: float


class Timings:
    """Spans recorded from any thread (the SIGINT container runs in its own)."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.spans: list[Span] = []
        self._lock = threading.Lock()

    @contextmanager
    def span(self, container: str, step: Step) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            end = time.monotonic()
            with self._lock:
                self.spans.append(Span(container, step, start - self.t0, end - start))

    def total(self, container: str, step: Step) -> float:
        """The seconds a step took in one container, its repeats summed (three snapshots)."""
        return sum(s.took_s for s in self.spans if s.container == container and s.step == step)

    def steps(self) -> tuple[StepTime, ...]:
        """The spans as the result model records them, in the order they began."""
        with self._lock:
            ordered = sorted(self.spans, key=lambda s: s.start_s)
        return tuple(StepTime(s.container, s.step.value, s.start_s, s.took_s) for s in ordered)

    def to_dict(self) -> list[dict[str, object]]:
        """The spans in the order they began, each in its record's form."""
        with self._lock:
            return [s.to_dict() for s in sorted(self.spans, key=lambda s: s.start_s)]
