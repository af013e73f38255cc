"""The doctor's checks: each reads the findings and states a fact about pid 1 with its
evidence, and the likely fix when it is a problem. Pure: no Docker, unit-tested.

Every check's figures carry ``verdict``: "ok", "problem", "note" (never a problem) or
"inconclusive" (the world did not allow the measurement: never reported as passed).
Behaviour is the verdict: what pid 1 is called is a description or a note, never a problem;
a problem is something the doctor saw it do (or not do).
"""
from __future__ import annotations

import re
import signal as _signal
from typing import Any

from ..lab.result import CheckResult
from ..snapshot import Process, Snapshot
from .model import Disposition, EarlyEnd, Fate, Findings, Masks, Phase, Stop, reaches_pid1, role

FIX_EXEC = ("use the exec form (ENTRYPOINT [\"prog\", \"arg\"]) or start the program with exec in the "
            "script (exec \"$@\"), so the program itself becomes pid 1; or run it with --init")
FIX_INIT = ("run it with --init (compose: init: true), or make tini or dumb-init the ENTRYPOINT "
            "(ENTRYPOINT [\"tini\", \"--\", ...])")
FIX_ZOMBIE = ("wait for your children (os.wait/waitpid, or subprocess's wait()), or set "
              "signal.signal(SIGCHLD, SIG_IGN) where their exit codes do not matter")
GRACE_WORDS = "docker stop -t, compose's stop_grace_period, Kubernetes' terminationGracePeriodSeconds"

NAMES = {"stays_up": "it starts and stays up", "pid1": "who is pid 1", "zombies": "zombies at rest",
         "masks": "signal masks: the prediction",
         "reaping": "reaping: pid 1 reaps an orphan it adopts",
         "sigint": "SIGINT: it ends on docker kill --signal SIGINT (Ctrl-C)",
         "forwarding": "signal forwarding: the wrapped program gets the signal and its children end with it",
         "limits": "what the doctor added, and limits"}


def result(name: str, verdict: str, detail: str, fix: str | None = None, **figures: Any) -> CheckResult:
    figures["verdict"] = verdict
    if fix:
        figures["fix"] = fix
        detail = f"{detail}. Fix: {fix}"
    if verdict == "inconclusive":
        detail = f"inconclusive: {detail}"
        return CheckResult(name, "inconclusive", detail, figures)
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
    if f.early or not f.ready.up:
        return [stays_up(f)]
    snap = f.snapshot("ready")
    if snap is None:
        return [result("the examination", "inconclusive", f.error or "no process table was read")]
    checks = [who_is_pid1(f, snap), zombies_at_rest(snap), reaping(f), prediction(f), stop_check(f, snap),
              sigint_check(f), forwarding(f, snap), additions(f, snap)]
    if f.options.k8s:
        checks.append(as_a_pod(f))
    if f.error:
        checks.append(result("the examination", "inconclusive", f"it broke off: {f.error}"))
    return checks


# --- it does not stay up: one verdict, whichever container, whenever -------------------------------

FORK_FAILED = re.compile(r"fork|Resource temporarily unavailable|can't create thread|pthread_create", re.I)
NO_NETWORK = re.compile(r"resolve|name resolution|Network is unreachable|getaddrinfo|No route to host", re.I)


def _tail(f: Findings, container: str) -> str:
    return "; ".join(o.text for o in f.output.get(container, [])[-3:])


def stays_up(f: Findings) -> CheckResult:
    name = NAMES["stays_up"]
    e: EarlyEnd | None = f.early[0] if f.early else None
    if e is None and f.ready.how == "exited":
        e = EarlyEnd("stop", Phase.BEFORE_UP, f.ready.after_s, f.ready.exit_code, f.ready.oom_killed)
    if e is None:       # the stop container never came up, and did not exit either
        return result(name, "problem", f"`{' '.join(f.argv)}`: {f.ready.detail}, {f.ready.after_s:.1f} s after "
                      "its start", "give --ready-log REGEX if it is up only once it prints a line, or a longer "
                      "--ready-timeout", ready=f.ready.how)
    which = ("its container" if e.container == "stop" and len(f.early) == 1 else
             f"the {e.container} container" + (" (the other stayed up)" if len(f.early) == 1 else ""))
    tail = _tail(f, e.container)
    detail = (f"`{' '.join(f.argv)}`: {which} ended on its own {e.phase}, {e.after_s:.1f} s after its start, "
              f"with exit code {code_words(e.exit_code)}" + (f" ({e.detail})" if e.detail else "")
              + (f"; last output: {tail}" if tail else ""))
    figs = {"container": e.container, "phase": str(e.phase), "after_s": round(e.after_s, 3),
            "exit_code": e.exit_code, "oom_killed": e.oom_killed,
            "ended": [{"container": x.container, "phase": str(x.phase), "exit_code": x.exit_code} for x in f.early]}
    return result(name, "problem", detail, _stays_up_fix(f, e, tail), **figs)


def _stays_up_fix(f: Findings, e: EarlyEnd, tail: str) -> str:
    adds = {a.option: a for a in f.options.additions()}
    if e.oom_killed:
        return (f"the memory limit killed it (OOM): the doctor ran it with {adds['--memory'].words()}; "
                "give --memory a size it needs, and set the same where it runs")
    out = " ".join(o.text for o in f.output.get(e.container, []))
    if FORK_FAILED.search(out) and e.exit_code not in (None, 0):
        return (f"a fork or thread failed, likely at the pids limit: the doctor ran it with "
                f"{adds['--pids-limit'].words()}; give --pids-limit the number it needs")
    if NO_NETWORK.search(out) and not f.options.network:
        return (f"it seems to need the network, and the doctor ran it with {adds['--network'].words()}: "
                "give --network bridge (or the network it runs on)")
    if f.options.cap_drop or f.options.read_only or f.options.security_opt:
        given = ", ".join([f"--cap-drop {c}" for c in f.options.cap_drop] + (["--read-only"] if f.options.read_only
                          else []) + [f"--security-opt {o}" for o in f.options.security_opt])
        also = f"; it was run with {given}, which a plain docker run does not apply"
    else:
        also = ""
    return ("a service must stay up until it is told to stop; read its last output for why it ended "
            "(a one-shot job is not what the doctor checks: pid 1's behaviour on docker stop matters only "
            "for something that runs until stopped); if it needs a setting to start, give it "
            "(--env, --user, -- CMD…)" + also)


# --- descriptions and notes ---------------------------------------------------------------------------

def who_is_pid1(f: Findings, snap: Snapshot) -> CheckResult:
    """A description: fails nothing on its own. A shell wrapping a program is a note (exec advice):
    whether it passes signals on is judged by what it does (forwarding, docker stop, SIGINT)."""
    name = NAMES["pid1"]
    p1 = snap.get(1)
    if p1 is None:
        return result(name, "inconclusive", "the process table inside the container has no pid 1")
    kids = [k for k in snap.children(1) if not k.probe]
    r = role(p1)
    figs = {"pid1": p1.command, "role": r, "children": [k.command for k in kids], "argv": list(f.argv)}
    if r == "shell" and kids:
        return result(name, "note", f"pid 1 is a shell, `{p1.command}`, and the program {_cmd(kids[0])} is its "
                      "child: that is a wrapper, judged by what it does with signals below. The usual advice: "
                      + FIX_EXEC, **figs)
    if r == "shell":
        return result(name, "ok", f"pid 1 is a shell, `{p1.command}`, running no other program", **figs)
    if r == "init":
        runs = ", ".join(_cmd(k) for k in kids) or "nothing"
        return result(name, "ok", f"pid 1 is an init, `{p1.command}`, running {runs}", **figs)
    also = f"; its children: {', '.join(_cmd(k) for k in kids)}" if kids else ""
    return result(name, "ok", f"pid 1 is the program itself, `{p1.command}`: it must reap orphans and "
                  f"handle signals on its own{also}", **figs)


def zombies_at_rest(snap: Snapshot) -> CheckResult:
    """Every Z row once it settled, before the doctor made anything of its own."""
    name = NAMES["zombies"]
    zs = [p for p in snap.scenario if p.state == "Z"]
    if not zs:
        return result(name, "ok", f"no zombie in its process table once it was up ({len(snap.scenario)} "
                      "process(es))", zombies=[])
    parents: dict[int, list[Process]] = {}
    for z in zs:
        parents.setdefault(z.ppid, []).append(z)
    said = "; ".join(f"{len(kids)} zombie(s) ({', '.join(f'pid {k.pid} {k.name}' for k in kids)}) are children "
                     f"of {_cmd(snap.get(ppid))}, which has not waited for them" for ppid, kids in parents.items())
    return result(name, "problem", f"{said}, before the doctor had made anything", FIX_ZOMBIE,
                  zombies=[{"pid": z.pid, "name": z.name, "ppid": z.ppid} for z in zs])


def additions(f: Findings, snap: Snapshot) -> CheckResult:
    """What the doctor ran it with beyond 'docker run IMAGE', each with its option (a note)."""
    name = NAMES["limits"]
    live = [p for p in snap.scenario if p.state != "Z"]
    adds = f.options.additions()
    given = [a for a in adds if not a.safety_net]
    net = [a for a in adds if a.safety_net]
    figs = {"pids": len(live), "zombies": len(snap.scenario) - len(live), "inspect": f.limits,
            "additions": [{"what": a.what, "value": a.value, "option": a.option, "safety_net": a.safety_net}
                          for a in adds]}
    words = f"{len(live)} live process(es) at rest"
    if net:
        words += ("; beyond a plain docker run IMAGE, the doctor ran it with " + ", ".join(a.words() for a in net))
    if given:
        words += "; given: " + ", ".join(f"{a.what} {a.value}" for a in given)
    if any(a.what != "network" for a in net):
        words += (". An image cannot carry limits: set them where it runs (compose: pids_limit, mem_limit; "
                  "docker run --pids-limit, --memory), so a fork loop or a leak stops at the container")
    return result(name, "note", words, **figs)


def as_a_pod(f: Findings) -> CheckResult:
    return result("as a Kubernetes pod", "note",
                  f"checked as a pod runs it: no init (a pod has no --init: Compose's init: true has no Kubernetes "
                  f"equivalent, so the image must carry its own, e.g. tini as its ENTRYPOINT), "
                  f"{f.stop_signal} then SIGKILL after terminationGracePeriodSeconds ({f.options.grace_s:g} s here; "
                  "containerd sends the image's STOPSIGNAL, SIGTERM when it has none). With shareProcessNamespace: "
                  "true the pause container is pid 1 and reaps orphans, and this image's pid 1 is no longer pid 1: "
                  "it then gets SIGTERM's default action (it ends) even with no handler",
                  grace_s=f.options.grace_s, stop_signal=f.stop_signal)


# --- the signal masks' prediction -------------------------------------------------------------------

def predict(masks: list[Masks], sig: str) -> tuple[bool, str]:
    """(will the container end on sig within the grace period, why), from the masks alone."""
    if not masks:
        return False, "no masks were read"
    p1 = masks[0]
    d = p1.disposition(sig)
    if not reaches_pid1(p1, sig):
        return False, (f"pid 1 (`{p1.command}`) has {sig} {d} and is pid 1: the kernel drops it, so "
                       f"docker stop will wait the grace period and SIGKILL it")
    main = masks[1] if len(masks) > 1 else None
    if main is None:
        how = "its handler runs" if d == Disposition.HANDLER else "it takes the signal"
        return True, f"pid 1 (`{p1.command}`) has {sig} {d}: {how}, and should end"
    md = main.disposition(sig)
    if md == Disposition.IGNORED or md == Disposition.BLOCKED:
        return False, (f"pid 1 (`{p1.command}`) gets {sig} ({d}), but the program `{main.command}` has it "
                       f"{md}: passed on, it will not end it")
    then = ("its handler runs" if md == Disposition.HANDLER else
            "its default action ends it (it is not pid 1, so the kernel does not protect it)")
    return True, (f"pid 1 (`{p1.command}`) gets {sig} ({d}); if it passes it on to `{main.command}`, {then}")


def prediction(f: Findings) -> CheckResult:
    """Read before any signal; confirmed or refuted by what docker stop then did. A note: the behaviour
    checks judge; a refuted prediction says the masks did not tell the whole story."""
    name = NAMES["masks"]
    if not f.masks:
        return result(name, "inconclusive", "the signal masks of pid 1 could not be read")
    will_end, why = predict(f.masks, f.stop_signal)
    figs: dict[str, Any] = {"masks": [m.to_dict() for m in f.masks], "signal": f.stop_signal,
                            "predicted_end": will_end, "prediction": why}
    shown = "; ".join(f"pid {m.pid} `{m.command}`: SigCgt {_few(m.caught)}, SigIgn {_few(m.ignored)}, "
                      f"SigBlk {_few(m.blocked)}" + (f", in sigtimedwait for {_few(m.waited)}" if m.waited else "")
                      for m in f.masks)
    s = f.stop
    if s is None or s.exit_code is None:
        return result(name, "note", f"before any signal: {shown}. Predicted: {why}; docker stop was not "
                      "watched, so it stands unconfirmed", outcome="unconfirmed", **figs)
    if s.ended == will_end:
        outcome = "confirmed"
        said = f"confirmed: it {'ended' if s.ended else 'did not end'} within the grace period"
    else:
        outcome = "refuted"
        said = (f"REFUTED: it {'ended' if s.ended else 'did not end'} within the grace period "
                f"({code_words(s.exit_code)} after {s.took_s:.2f} s)")
        if not s.ended and will_end and f.masks[-1].disposition(f.stop_signal) == Disposition.HANDLER:
            said += (f"; `{f.masks[-1].command}` catches {f.stop_signal} but was still running: its handler is "
                     "slower than the grace period, or does not exit")
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
    return ",".join(names) if len(names) <= 8 else f"{len(names)} signals incl. " + ",".join(names[:5])


# --- behaviour ----------------------------------------------------------------------------------------

def reaping(f: Findings) -> CheckResult:
    name = NAMES["reaping"]
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


def _kill_cap_hint(f: Findings, snap: Snapshot) -> str:
    """--cap-drop KILL (or ALL) with pid 1 root and the program another user: pid 1 may not signal it."""
    dropped = {c.upper().removeprefix("CAP_") for c in f.options.cap_drop}
    if not dropped & {"KILL", "ALL"} or {c.upper().removeprefix("CAP_") for c in f.options.cap_add} & {"KILL", "ALL"}:
        return ""
    p1 = snap.get(1)
    others = [k for k in snap.children(1) if p1 and k.user and k.user != p1.user]
    if not others:
        return ""
    return (f"pid 1 runs as {p1.user or '?'} and `{others[0].command}` as {others[0].user}: with --cap-drop "  # type: ignore[union-attr]
            f"{'KILL' if 'KILL' in dropped else 'ALL'} pid 1 lacks CAP_KILL and may not signal a process of another "
            "user (kill fails with EPERM), so it cannot pass the signal on; keep CAP_KILL, or run both as one user")


def _stop_fix(f: Findings, snap: Snapshot) -> str:
    p1 = snap.get(1)
    r = role(p1) if p1 else "program"
    hint = _kill_cap_hint(f, snap)
    if hint:
        return hint
    main = f.masks[-1] if f.masks else None
    if main is not None and main.disposition(f.stop_signal) == Disposition.HANDLER and \
            (r == "program" or len(f.masks) > 1):
        return (f"`{main.command}` catches {f.stop_signal} but had not ended when the grace period was over: make "
                f"its handler exit sooner, or give it a longer grace period ({GRACE_WORDS})")
    if r == "shell":
        return "the shell as pid 1 does not pass the signal on: " + FIX_EXEC
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
    figs = {"signal": s.signal, "grace_s": s.grace_s, "exit_code": s.exit_code, "took_s": round(s.took_s, 3)}
    said = f"docker stop -t {s.grace_s:g} sent {s.signal}"
    if s.ended:
        return result(name, "ok", f"{said}; the container exited with {code_words(s.exit_code)} "
                      f"after {s.took_s:.2f} s", **figs)
    return result(name, "problem", f"{said} and nothing ended: after the {s.grace_s:g} s grace period the "
                  f"engine SIGKILLed it ({code_words(s.exit_code)}, {s.took_s:.2f} s)", _stop_fix(f, snap), **figs)


def sigint_check(f: Findings) -> CheckResult:
    name = NAMES["sigint"]
    s, rd = f.sigint, f.sigint_ready
    if rd is not None and not rd.up:
        return result(name, "inconclusive", f"the second container did not come up: {rd.detail}")
    if s is None or s.error:
        return result(name, "inconclusive", s.error if s else "SIGINT was not sent")
    figs: dict[str, Any] = {"exit_code": s.exit_code, "took_s": round(s.took_s, 3), "grace_s": s.grace_s}
    if f.sigint_masks is not None:
        figs["pid1_masks"] = f.sigint_masks.to_dict()
        figs["pid1_disposition"] = str(f.sigint_masks.disposition("SIGINT"))
    if s.ended:
        return result(name, "ok", f"it exited with {code_words(s.exit_code)} {s.took_s:.2f} s after SIGINT", **figs)
    p1 = f.snapshot("ready")
    r = role(p1.get(1)) if p1 and p1.get(1) else "program"  # type: ignore[arg-type]
    fix = (FIX_EXEC if r == "shell" else "handle SIGINT in the program (pid 1 gets no default action), or "
           + FIX_INIT)
    dropped = (f"; pid 1's SIGINT is {f.sigint_masks.disposition('SIGINT')}" if f.sigint_masks else "")
    return result(name, "problem", f"still running {s.grace_s:g} s after SIGINT{dropped}: Ctrl-C on 'docker run' "
                  "or a SIGINT from a supervisor does nothing", fix, **figs)


def _ended_by_signal(fate: Fate, s: Stop, inherited: bool) -> bool:
    if fate.status == "signal 9":
        return False
    if fate.ended_s is None:
        return inherited            # an init passed its status on as the container's exit code
    return s.ended or fate.ended_s < s.grace_s - 0.05


def forwarding(f: Findings, snap: Snapshot) -> CheckResult:
    name = NAMES["forwarding"]
    p1, s = snap.get(1), f.stop
    if p1 is None or s is None or (s.error and s.exit_code is None):
        return result(name, "inconclusive", "docker stop could not be watched")
    if not [k for k in snap.children(1) if k.state != "Z" and not k.probe]:
        return result(name, "ok", f"pid 1 (`{p1.command}`) wraps no other program: nothing to pass on")
    r = role(p1)
    inherited = r == "init" and s.ended
    programs = [x for x in s.watched if snap.get(x.pid) and snap.get(x.pid).ppid == 1]  # type: ignore[union-attr]
    others = [x for x in s.watched if x not in programs]
    figs = {"watched": [vars(x) for x in s.watched], "source": s.watch_source,
            "evidence": "inferred from when each process ended and the exit codes (no kernel record)"}
    deaf = [x for x in programs if not _ended_by_signal(x, s, inherited)]
    if deaf:
        how = ("was still running when the engine SIGKILLed the container" if not s.ended else
               "was SIGKILLed by the kernel when pid 1 exited, without its turn to stop")
        fix = (_kill_cap_hint(f, snap) or
               (FIX_EXEC if r == "shell" else "make pid 1 pass the stop signal on to its children" if r == "program"
                else "let the init signal the program (tini passes SIGTERM on; check its -s/-g options)"))
        return result(name, "problem", f"`{deaf[0].command}` (pid {deaf[0].pid}) {how}: pid 1 "
                      f"(`{p1.command}`) did not pass {s.signal} on (an inference from timing and exit codes)",
                      fix, **figs)
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
    note = "" if r != "shell" else "; the shell as pid 1 passed it on (a wrapper that works)"
    return result(name, "ok", f"{ended}" + (f"; its {len(others)} child process(es) ended too" if others else "")
                  + note + " (inferred from timing and exit codes)", **figs)
