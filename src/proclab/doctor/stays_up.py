"""The one "it does not stay up" verdict: whichever container ended on its own, whenever, with its
exit code, its last output and an honest fix (naming the doctor's limit when that is what killed it). Pure."""

from __future__ import annotations

import re
from dataclasses import replace

from ..lab.result import CheckResult
from .model import EarlyEnd, Findings, Phase
from .words import NAMES, code_words, result

FORK_FAILED = re.compile(
    r"fork|Resource temporarily unavailable|can't create thread|pthread_create", re.I
)
NO_NETWORK = re.compile(
    r"resolve|name resolution|Network is unreachable|getaddrinfo|No route to host", re.I
)


def _tail(f: Findings, container: str) -> str:
    return "; ".join(o.text for o in f.output.get(container, [])[-3:])


def stays_up(f: Findings) -> CheckResult:
    name = NAMES["stays_up"]
    e: EarlyEnd | None = f.early[0] if f.early else None
    if e is None and f.ready.how == "exited":
        e = EarlyEnd(
            "stop", Phase.BEFORE_UP, f.ready.after_s, f.ready.exit_code, f.ready.oom_killed
        )
    if e is not None and e.exit_code == 137 and any(x.oom_killed for x in f.early):
        # both containers run the same command under the same limit; the engine's OOM word for one can be
        # lost when its exit event comes first (Docker 20.10, 1 run in 8 with the two started together)
        e = replace(e, oom_killed=True)
    if e is None:  # the stop container never came up, and did not exit either
        return result(
            name,
            "problem",
            f"`{' '.join(f.argv)}`: {f.ready.detail}, {f.ready.after_s:.1f} s after its start",
            "give --ready-log REGEX if it is up only once it prints a line, or a longer "
            "--ready-timeout",
            ready=f.ready.how,
        )
    which = (
        "its container"
        if e.container == "stop" and len(f.early) == 1
        else f"the {e.container} container"
        + (" (the others stayed up)" if len(f.early) == 1 else "")
    )
    tail = _tail(f, e.container)
    detail = (
        f"`{' '.join(f.argv)}`: {which} ended on its own {e.phase}, {e.after_s:.1f} s after its start, "
        f"with exit code {code_words(e.exit_code)}"
        + (f" ({e.detail})" if e.detail else "")
        + (f"; last output: {tail}" if tail else "")
    )
    figs = {
        "container": e.container,
        "phase": str(e.phase),
        "after_s": round(e.after_s, 3),
        "exit_code": e.exit_code,
        "oom_killed": e.oom_killed,
        "ended": [
            {"container": x.container, "phase": str(x.phase), "exit_code": x.exit_code}
            for x in f.early
        ],
    }
    return result(name, "problem", detail, _stays_up_fix(f, e, tail), **figs)


def _stays_up_fix(f: Findings, e: EarlyEnd, tail: str) -> str:
    adds = {a.option: a for a in f.options.additions()}
    if e.oom_killed:
        return (
            f"the memory limit killed it (OOM): the doctor ran it with {adds['--memory'].words()}; "
            "give --memory a size it needs, and set the same where it runs"
        )
    out = " ".join(o.text for o in f.output.get(e.container, []))
    if FORK_FAILED.search(out) and e.exit_code not in (None, 0):
        return (
            f"a fork or thread failed, likely at the pids limit: the doctor ran it with "
            f"{adds['--pids-limit'].words()}; give --pids-limit the number it needs"
        )
    if NO_NETWORK.search(out) and not f.options.network:
        return (
            f"it seems to need the network, and the doctor ran it with {adds['--network'].words()}: "
            "give --network bridge (or the network it runs on)"
        )
    if f.options.cap_drop or f.options.read_only or f.options.security_opt:
        given = ", ".join(
            [f"--cap-drop {c}" for c in f.options.cap_drop]
            + (["--read-only"] if f.options.read_only else [])
            + [f"--security-opt {o}" for o in f.options.security_opt]
        )
        also = f"; it was run with {given}, which a plain docker run does not apply"
    else:
        also = ""
    return (
        "a service must stay up until it is told to stop; read its last output for why it ended "
        "(a one-shot job is not what the doctor checks: pid 1's behaviour on docker stop matters only "
        "for something that runs until stopped); if it needs a setting to start, give it "
        "(--env, --user, -- CMD…)" + also
    )
