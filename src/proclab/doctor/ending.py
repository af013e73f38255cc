"""Whether a container ended on its own: before up, under the doctor's probes, before its signal (the
engine's FinishedAt), or after a signal its pid 1 never got (its masks). Recorded, never raised."""

from __future__ import annotations

import time

from .model import EarlyEnd, Masks, Phase, Stop, reaches_pid1
from .session import Session


def early(s: Session, name: str, phase: Phase) -> EarlyEnd:
    code, oom, fin = s.ending()
    after = (fin - s.started_wall) if fin else time.monotonic() - s.t0
    return EarlyEnd(name, phase, after, code, oom)


def ended_on_its_own(s: Session, name: str, stop: Stop, masks: Masks | None) -> EarlyEnd | None:
    """Whether a container that ended after the doctor's signal ended because of it: not if the
    engine's record says it ended before the signal was sent, nor if its pid 1 could not get the
    signal (the kernel drops it: default action or SIG_IGN) and it still ended within the grace period."""
    if stop.exit_code is None:
        return None
    code, oom, fin = s.ending()
    if fin is not None and fin < stop.sent_at:
        return EarlyEnd(name, Phase.BEFORE_SIGNAL, fin - s.started_wall, code, oom)
    if stop.ended and masks is not None and not reaches_pid1(masks, stop.signal):
        return EarlyEnd(
            name,
            Phase.SIGNAL_NOT_HEARD,
            (fin or time.time()) - s.started_wall,
            code,
            oom,
            f"pid 1's {stop.signal} is {masks.disposition(stop.signal)}: the kernel drops it",
        )
    return None
