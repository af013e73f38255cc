"""The doctor's checks: each reads the findings and states a fact about pid 1 with its
evidence, and the likely fix when it is a problem. Pure: no Docker, unit-tested.

Every check's figures carry ``verdict``: "ok", "problem", "note" (never a problem) or
"inconclusive" (the world did not allow the measurement: never reported as passed).
"""
from __future__ import annotations

import signal as _signal
from typing import Any

from ..lab.result import CheckResult
from ..snapshot import Process, Snapshot
from .model import Fate, Findings, Stop, role

FIX_EXEC = ("use the exec form (ENTRYPOINT [\"prog\", \"arg\"]) or start the program with exec in the "
            "script (exec \"$@\"), so the program itself becomes pid 1; or run it with --init")
FIX_INIT = ("run it with --init (compose: init: true), or make tini or dumb-init the ENTRYPOINT "
            "(ENTRYPOINT [\"tini\", \"--\", ...])")


def result(name: str, verdict: str, detail: str, fix: str | None = None, **figures: Any) -> CheckResult:
    figures["verdict"] = verdict
    if fix:
        figures["fix"] = fix
        detail = f"{detail}. Fix: {fix}"
    if verdict == "inconclusive":
        detail = f"inconclusive: {detail}"
    return CheckResult(name, verdict in ("ok", "note"), detail, figures)


def _cmd(p: Process | None) -> str:
    return f"`{p.command}` (pid {p.pid})" if p else "(not seen)"


def code_words(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code > 128 and code - 128 < 65:
        try:
            return f"{code} = 128 + {_signal.Signals(code - 128).name}"
        except ValueError:
            pass
    return str(code)


def evaluate(f: Findings) -> list[CheckResult]:
    if not f.ready.up:
        code = f" (exit code {code_words(f.ready.exit_code)})" if f.ready.exit_code is not None else ""
        tail = "; ".join(o.text for o in f.output.get("stop", [])[-3:])
        return [result("it starts and stays up", "problem",
                       f"`{' '.join(f.argv)}`: {f.ready.detail}{code}, {f.ready.after_s:.1f} s after its start"
                       + (f"; last output: {tail}" if tail else ""),
                       "check the command and environment it needs (--env, --user, -- CMD…), "
                       "or give --ready-log REGEX if it is up only once it prints a line")]
    snap = f.snapshot("ready")
    if snap is None:
        return [result("the examination", "inconclusive", f.error or "no process table was read")]
    checks = [who_is_pid1(f, snap), reaping(f), stop_check(f, snap), sigint_check(f), forwarding(f, snap),
              limits(f, snap)]
    if f.error:
        checks.append(result("the examination", "inconclusive", f"it broke off: {f.error}"))
    return checks


def who_is_pid1(f: Findings, snap: Snapshot) -> CheckResult:
    name = "who is pid 1"
    p1 = snap.get(1)
    if p1 is None:
        return result(name, "inconclusive", "the process table inside the container has no pid 1")
    kids = snap.children(1)
    r = role(p1)
    figs = {"pid1": p1.command, "role": r, "children": [k.command for k in kids], "argv": list(f.argv)}
    if r == "shell" and kids:
        return result(name, "problem", f"pid 1 is a shell, `{p1.command}`, and the real program "
                      f"{_cmd(kids[0])} is its child: docker stop's signal goes to the shell, not to "
                      "the program", FIX_EXEC, **figs)
    if r == "shell":
        return result(name, "ok", f"pid 1 is a shell, `{p1.command}`, running no other program", **figs)
    if r == "init":
        runs = ", ".join(_cmd(k) for k in kids) or "nothing"
        return result(name, "ok", f"pid 1 is an init, `{p1.command}`, running {runs}", **figs)
    also = f"; its children: {', '.join(_cmd(k) for k in kids)}" if kids else ""
    return result(name, "ok", f"pid 1 is the program itself, `{p1.command}`: it must reap orphans and "
                  f"handle signals on its own{also}", **figs)


def reaping(f: Findings) -> CheckResult:
    name = "reaping: pid 1 reaps an orphan it adopts"
    o = f.orphan
    if o is None or o.error:
        return result(name, "inconclusive", o.error if o else "no orphan was made")
    figs = {"orphan": o.pid, "adopted_by": o.adopted_by, "exited_at_s": o.exited_at_s,
            "reaped_at_s": o.reaped_at_s, "deadline_s": f.options.reap_deadline_s}
    what = (f"the orphan pid {o.pid} (a busybox sleep {o.lifetime_s:g} whose docker-exec'd shell exited) "
            f"was adopted by pid {o.adopted_by}")
    if o.zombie_at_end:
        left = f.snapshot("orphan-exited")
        z = left.get(o.pid) if left else None
        return result(name, "problem", f"{what}; it exited and was still a zombie "
                      f"({z.state if z else 'Z'}, ppid {z.ppid if z else '?'}) {f.options.reap_deadline_s:g} s "
                      "later: pid 1 never waits for the children it adopts, so zombies pile up", FIX_INIT, **figs)
    if o.reaped_at_s is not None and o.exited_at_s is not None:
        after = max(0.0, o.reaped_at_s - o.exited_at_s)
        return result(name, "ok", f"{what} and reaped within {after:.2f} s of its exit", **figs)
    return result(name, "inconclusive", f"{what}, and had neither exited nor been reaped "
                  f"{o.lifetime_s + f.options.reap_deadline_s:g} s later", **figs)


def _stop_fix(r: str) -> str:
    if r == "shell":
        return "the shell as pid 1 ignores the signal and does not pass it on: " + FIX_EXEC
    if r == "init":
        return ("the init passed the signal on, but the program did not end: handle it in the program, "
                "or set STOPSIGNAL to the signal the program stops on")
    return ("pid 1 gets no default action for SIGTERM (the kernel drops it unless pid 1 has a handler): "
            "install a SIGTERM handler that exits, or " + FIX_INIT + " so the program is not pid 1; "
            "if the program stops on another signal, set STOPSIGNAL")


def stop_check(f: Findings, snap: Snapshot) -> CheckResult:
    s = f.stop
    name = f"docker stop: it ends on {f.stop_signal} within the grace period"
    if s is None or (s.error and s.exit_code is None):
        return result(name, "inconclusive", s.error if s and s.error else "docker stop was not run")
    p1 = snap.get(1)
    figs = {"signal": s.signal, "grace_s": s.grace_s, "exit_code": s.exit_code, "took_s": round(s.took_s, 3)}
    said = f"docker stop -t {s.grace_s:g} sent {s.signal}"
    if s.ended:
        return result(name, "ok", f"{said}; the container exited with {code_words(s.exit_code)} "
                      f"after {s.took_s:.2f} s", **figs)
    return result(name, "problem", f"{said} and nothing ended: after the {s.grace_s:g} s grace period the "
                  f"engine SIGKILLed it ({code_words(s.exit_code)}, {s.took_s:.2f} s)",
                  _stop_fix(role(p1) if p1 else "program"), **figs)


def sigint_check(f: Findings) -> CheckResult:
    name = "SIGINT: it ends on docker kill --signal SIGINT (Ctrl-C)"
    s, rd = f.sigint, f.sigint_ready
    if rd is not None and not rd.up:
        return result(name, "inconclusive", f"the second container did not come up: {rd.detail}")
    if s is None or s.error:
        return result(name, "inconclusive", s.error if s else "SIGINT was not sent")
    figs = {"exit_code": s.exit_code, "took_s": round(s.took_s, 3), "grace_s": s.grace_s}
    if s.ended:
        return result(name, "ok", f"it exited with {code_words(s.exit_code)} {s.took_s:.2f} s after SIGINT", **figs)
    p1 = f.snapshot("ready")
    r = role(p1.get(1)) if p1 and p1.get(1) else "program"  # type: ignore[arg-type]
    fix = (FIX_EXEC if r == "shell" else "handle SIGINT in the program (pid 1 gets no default action), or "
           + FIX_INIT)
    return result(name, "problem", f"still running {s.grace_s:g} s after SIGINT: Ctrl-C on 'docker run' "
                  "or a SIGINT from a supervisor does nothing", fix, **figs)


def _ended_by_signal(fate: Fate, s: Stop, inherited: bool) -> bool:
    if fate.status == "signal 9":
        return False
    if fate.ended_s is None:
        return inherited            # an init passed its status on as the container's exit code
    return s.ended or fate.ended_s < s.grace_s - 0.05


def forwarding(f: Findings, snap: Snapshot) -> CheckResult:
    name = "signal forwarding: the wrapped program gets the signal and its children end with it"
    p1, s = snap.get(1), f.stop
    if p1 is None or s is None or (s.error and s.exit_code is None):
        return result(name, "inconclusive", "docker stop could not be watched")
    if not snap.children(1):
        return result(name, "ok", f"pid 1 (`{p1.command}`) wraps no other program: nothing to pass on")
    r = role(p1)
    inherited = r == "init" and s.ended
    programs = [x for x in s.watched if snap.get(x.pid) and snap.get(x.pid).ppid == 1]  # type: ignore[union-attr]
    others = [x for x in s.watched if x not in programs]
    figs = {"watched": [vars(x) for x in s.watched], "source": s.watch_source}
    deaf = [x for x in programs if not _ended_by_signal(x, s, inherited)]
    if deaf:
        how = ("was still running when the engine SIGKILLed the container" if not s.ended else
               "was SIGKILLed by the kernel when pid 1 exited, without its turn to stop")
        fix = (FIX_EXEC if r == "shell" else "make pid 1 pass the stop signal on to its children" if r == "program"
               else "let the init signal the program (tini passes SIGTERM on; check its -s/-g options)")
        return result(name, "problem", f"`{deaf[0].command}` (pid {deaf[0].pid}) {how}: pid 1 "
                      f"(`{p1.command}`) did not pass {s.signal} on", fix, **figs)
    stragglers = [x for x in others if x.orphaned or x.ended_s is None or x.status == "signal 9"]
    ended = "; ".join(f"`{x.command}` ended {x.ended_s:.2f} s after {s.signal}" + (f" ({x.status})" if x.status else "")
                      if x.ended_s is not None else f"`{x.command}` ended with the exit code pid 1 passed on "
                      f"({code_words(s.exit_code)})" for x in programs)
    if stragglers:
        return result(name, "problem", f"{ended}; but its child `{stragglers[0].command}` (pid {stragglers[0].pid}) "
                      + ("was re-parented to pid 1 and outlived it" if stragglers[0].orphaned
                         else "outlived it until the container's end"),
                      "signal the whole process group: tini -g, or dumb-init (its default); or have the program "
                      "stop its children before it exits", **figs)
    return result(name, "ok", f"{ended}" + (f"; its {len(others)} child process(es) ended too" if others else ""),
                  **figs)


def limits(f: Findings, snap: Snapshot) -> CheckResult:
    name = "pids and limits"
    n = len(snap.scenario)
    given = {k: v for k, v in (("pids_limit", f.options.pids_limit), ("memory", f.options.memory)) if v}
    figs = {"pids": n, "given": given, "inspect": f.limits}
    if given:
        return result(name, "note", f"{n} process(es) at rest; limits given: "
                      + ", ".join(f"{k}={v}" for k, v in given.items()), **figs)
    return result(name, "note", f"{n} process(es) at rest; no pids or memory limit given (proclab ran it under "
                  f"its own safety net: pids {f.limits.get('pids_limit')}, memory {_mib(f.limits.get('memory'))}). "
                  "An image cannot carry limits: set them where it runs (compose: pids_limit, mem_limit; "
                  "docker run --pids-limit, --memory), so a fork loop or a leak stops at the container", **figs)


def _mib(n: Any) -> str:
    return f"{int(n) // 2**20} MiB" if n else "none"
