"""The prediction from the signal masks, read before any signal: what should happen on docker stop,
then confirmed or refuted by what did. Pure."""

from __future__ import annotations

import signal as _signal
from typing import Any

from ..lab.result import CheckResult
from .model import Disposition, Findings, Masks, reaches_pid1
from .words import NAMES, code_words, result


def predict(masks: list[Masks], sig: str) -> tuple[bool, str]:
    """(will the container end on sig within the grace period, why), from the masks alone."""
    if not masks:
        return False, "no masks were read"
    p1 = masks[0]
    d = p1.disposition(sig)
    if not reaches_pid1(p1, sig):
        return False, (
            f"pid 1 (`{p1.command}`) has {sig} {d} and is pid 1: the kernel drops it, so "
            f"docker stop will wait the grace period and SIGKILL it"
        )
    main = masks[1] if len(masks) > 1 else None
    if main is None:
        how = "its handler runs" if d == Disposition.HANDLER else "it takes the signal"
        return True, f"pid 1 (`{p1.command}`) has {sig} {d}: {how}, and should end"
    md = main.disposition(sig)
    if md == Disposition.IGNORED or md == Disposition.BLOCKED:
        return False, (
            f"pid 1 (`{p1.command}`) gets {sig} ({d}), but the program `{main.command}` has it "
            f"{md}: passed on, it will not end it"
        )
    then = (
        "its handler runs"
        if md == Disposition.HANDLER
        else "its default action ends it (it is not pid 1, so the kernel does not protect it)"
    )
    return True, (
        f"pid 1 (`{p1.command}`) gets {sig} ({d}); if it passes it on to `{main.command}`, {then}"
    )


def prediction(f: Findings) -> CheckResult:
    """Read before any signal; confirmed or refuted by what docker stop then did. A note: the behaviour
    checks judge; a refuted prediction says the masks did not tell the whole story."""
    name = NAMES["masks"]
    if not f.masks:
        return result(name, "inconclusive", "the signal masks of pid 1 could not be read")
    will_end, why = predict(f.masks, f.stop_signal)
    figs: dict[str, Any] = {
        "masks": [m.to_dict() for m in f.masks],
        "signal": f.stop_signal,
        "predicted_end": will_end,
        "prediction": why,
    }
    shown = "; ".join(
        f"pid {m.pid} `{m.command}`: SigCgt {_few(m.caught)}, SigIgn {_few(m.ignored)}, "
        f"SigBlk {_few(m.blocked)}"
        + (f", in sigtimedwait for {_few(m.waited)}" if m.waited else "")
        for m in f.masks
    )
    s = f.stop
    if s is None or s.exit_code is None:
        return result(
            name,
            "note",
            f"before any signal: {shown}. Predicted: {why}; docker stop was not "
            "watched, so it stands unconfirmed",
            outcome="unconfirmed",
            **figs,
        )
    if s.ended == will_end:
        outcome = "confirmed"
        said = f"confirmed: it {'ended' if s.ended else 'did not end'} within the grace period"
    else:
        outcome = "refuted"
        said = (
            f"REFUTED: it {'ended' if s.ended else 'did not end'} within the grace period "
            f"({code_words(s.exit_code)} after {s.took_s:.2f} s)"
        )
        if (
            not s.ended
            and will_end
            and f.masks[-1].disposition(f.stop_signal) == Disposition.HANDLER
        ):
            said += (
                f"; `{f.masks[-1].command}` catches {f.stop_signal} but was still running: its handler is "
                "slower than the grace period, or does not exit"
            )
    figs["outcome"] = outcome
    return result(name, "note", f"before any signal: {shown}. Predicted: {why}. {said}", **figs)


def _few(sigs: frozenset[int]) -> str:
    if not sigs:
        return "none"
    names = []
    for n in sorted(sigs):
        try:
            names.append(_signal.Signals(n).name.removeprefix("SIG"))
        except ValueError:
            names.append(str(n))
    return (
        ",".join(names) if len(names) <= 8 else f"{len(names)} signals incl. " + ",".join(names[:5])
    )
