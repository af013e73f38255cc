"""The doctor's second container, run alongside the first: up, its pid 1's signal masks from the
host's /proc, then docker kill --signal SIGINT; did it end within the grace period, and because of it?"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..engine import hostproc
from ..errors import ContainerError, ProclabError
from .ending import early, ended_on_its_own
from .model import EarlyEnd, Findings, Masks, Phase, Ready, Stop
from .session import Session
from .timing import Step


@dataclass
class SigintSide:
    """What the SIGINT container found (its thread's), for examine() to take once it has ended."""

    ready: Ready | None = None
    masks: Masks | None = None
    stop: Stop | None = None
    early: EarlyEnd | None = None
    error: BaseException | None = None  # re-raised by examine() in the main thread


def sigint_run(b: Session, opts, out: SigintSide) -> None:
    """The second container: up, its pid 1's masks, then docker kill --signal SIGINT; does it end?"""
    try:
        b.start()
        out.ready = ready = b.wait_ready()
        if not ready.up:
            if ready.how == "exited":
                out.early = early(b, "sigint", Phase.BEFORE_UP)
            return
        with b.timings.span("sigint", Step.MASKS):
            out.masks = masks = _pid1_masks(b)
        with b.timings.span("sigint", Step.SIGNAL_WAIT):
            out.stop = s = _interrupt(b, opts)
        with b.timings.span("sigint", Step.ENDING):
            out.early = ended_on_its_own(b, "sigint", s, masks)
    except (
        ContainerError
    ) as err:  # removed under it (Ctrl-C in the main thread), or the engine failed
        if b.ended_within():
            out.early = early(b, "sigint", Phase.PROBING)
        else:
            out.error = err
    except BaseException as err:
        out.error = err


def _pid1_masks(b: Session) -> Masks | None:
    """Read from the host's /proc (the SIGINT container has no kit: docker exec would need one)."""
    try:
        hpid = b.c.host_pid()
    except ContainerError:
        return None
    status = hostproc.read(hpid, "status") if hpid else None
    return (
        Masks.parse(1, "pid 1", status, "host /proc", hostproc.sigwait_set(hpid))
        if status
        else None
    )


def _interrupt(b: Session, opts) -> Stop:
    s = Stop("SIGINT", opts.grace_s)
    t = time.monotonic()
    s.sent_at = time.time()
    try:
        b.c.kill("SIGINT")
    except ContainerError:
        if not b.exited():
            raise
    try:
        s.exit_code = b.c.wait(timeout=opts.grace_s)
        s.ended = True
    except ProclabError:  # the wait timed out (the engine's answer can come late on a busy host)
        if b.exited():  # it ended meanwhile: within the grace period, by the engine's clock?
            s.exit_code, _, fin = b.ending()
            s.ended = fin is not None and fin - s.sent_at <= opts.grace_s
        else:
            s.ended = False  # still running after the grace period
    s.took_s = time.monotonic() - t
    return s


def take_sigint(f: Findings, a: Session, b: Session, side: SigintSide) -> None:
    """The SIGINT container's findings (its thread's), and its and the stop one's output, into f."""
    if side.error is not None:
        raise side.error
    f.output = {"stop": a.output, "sigint": b.output}
    f.sigint, f.sigint_ready, f.sigint_masks = side.stop, side.ready, side.masks
    if side.early is not None:
        f.early.append(side.early)
