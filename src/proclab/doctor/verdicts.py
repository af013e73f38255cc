"""The doctor's checks: each reads the findings and states a fact about pid 1 with its
evidence, and the likely fix when it is a problem. Pure: no Docker, unit-tested.

Every check's figures carry ``verdict``: "ok", "problem", "note" (never a problem) or
"inconclusive" (the world did not allow the measurement: never reported as passed).
Behaviour is the verdict: what pid 1 is called is a description or a note, never a problem;
a problem is something the doctor saw it do (or not do).
"""

from __future__ import annotations

import re
from typing import Any

from ..lab.result import CheckResult
from ..snapshot import Process, Snapshot
from .kernel_evidence import kernel_check, story
from .model import Disposition, Fate, Findings, Stop, role
from .predict import prediction
from .stays_up import stays_up
from .words import FIX_EXEC, FIX_INIT, FIX_ZOMBIE, GRACE_WORDS, NAMES, cmd_pid, code_words, result

__all__ = ["evaluate", "result", "code_words"]


def evaluate(f: Findings) -> list[CheckResult]:
    if f.early or not f.ready.up:
        return [stays_up(f)]
    snap = f.snapshot("ready")
    if snap is None:
        return [result("the examination", "inconclusive", f.error or "no process table was read")]
    checks = [
        who_is_pid1(f, snap),
        zombies_at_rest(snap),
        reaping(f),
        prediction(f),
        stop_check(f, snap),
        sigint_check(f),
        forwarding(f, snap),
        additions(f, snap),
    ]
    told = kernel_check(f.kernel, f.stop_signal, f.stop_at_t)
    if told is not None:
        checks.append(told)
    if f.options.k8s:
        checks.append(as_a_pod(f))
    if f.error:
        checks.append(result("the examination", "inconclusive", f"it broke off: {f.error}"))
    return checks


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
    figs: dict[str, Any] = {
        "pid1": p1.command,
        "role": r,
        "children": [k.command for k in kids],
        "argv": list(f.argv),
    }
    if r == "shell" and kids:
        return result(
            name,
            "note",
            f"pid 1 is a shell, `{p1.command}`, and the program {cmd_pid(kids[0])} is its "
            "child: that is a wrapper, judged by what it does with signals below. The usual advice: "
            + FIX_EXEC,
            **figs,
        )
    if r == "shell":
        return result(
            name, "ok", f"pid 1 is a shell, `{p1.command}`, running no other program", **figs
        )
    if r == "init":
        runs = ", ".join(cmd_pid(k) for k in kids) or "nothing"
        return result(name, "ok", f"pid 1 is an init, `{p1.command}`, running {runs}", **figs)
    also = f"; its children: {', '.join(cmd_pid(k) for k in kids)}" if kids else ""
    return result(
        name,
        "ok",
        f"pid 1 is the program itself, `{p1.command}`: it must reap orphans and "
        f"handle signals on its own{also}",
        **figs,
    )


def zombies_at_rest(snap: Snapshot) -> CheckResult:
    """Every Z row once it settled, before the doctor made anything of its own."""
    name = NAMES["zombies"]
    zs = [p for p in snap.scenario if p.state == "Z"]
    if not zs:
        return result(
            name,
            "ok",
            f"no zombie in its process table once it was up ({len(snap.scenario)} process(es))",
            zombies=[],
        )
    parents: dict[int, list[Process]] = {}
    for z in zs:
        parents.setdefault(z.ppid, []).append(z)
    said = "; ".join(
        f"{len(kids)} zombie(s) ({', '.join(f'pid {k.pid} {k.name}' for k in kids)}) are children "
        f"of {cmd_pid(snap.get(ppid))}, which has not waited for them"
        for ppid, kids in parents.items()
    )
    return result(
        name,
        "problem",
        f"{said}, before the doctor had made anything",
        FIX_ZOMBIE,
        zombies=[{"pid": z.pid, "name": z.name, "ppid": z.ppid} for z in zs],
    )


def additions(f: Findings, snap: Snapshot) -> CheckResult:
    """What the doctor ran it with beyond 'docker run IMAGE', each with its option (a note)."""
    name = NAMES["limits"]
    live = [p for p in snap.scenario if p.state != "Z"]
    adds = f.options.additions()
    given = [a for a in adds if not a.safety_net]
    net = [a for a in adds if a.safety_net]
    figs: dict[str, Any] = {
        "pids": len(live),
        "zombies": len(snap.scenario) - len(live),
        "inspect": f.limits,
        "additions": [
            {"what": a.what, "value": a.value, "option": a.option, "safety_net": a.safety_net}
            for a in adds
        ],
    }
    words = f"{len(live)} live process(es) at rest"
    if net:
        words += "; beyond a plain docker run IMAGE, the doctor ran it with " + ", ".join(
            a.words() for a in net
        )
    if given:
        words += "; given: " + ", ".join(f"{a.what} {a.value}" for a in given)
    if any(a.what != "network" for a in net):
        words += (
            ". An image cannot carry limits: set them where it runs (compose: pids_limit, mem_limit; "
            "docker run --pids-limit, --memory), so a fork loop or a leak stops at the container"
        )
    return result(name, "note", words, **figs)


def as_a_pod(f: Findings) -> CheckResult:
    # containerd (and CRI-O) keep the image's STOPSIGNAL at create and send it on StopContainer, SIGTERM
    # when it has none; Kubernetes 1.33+ lets lifecycle.stopSignal override it (gate ContainerStopSignals)
    sent = (
        f"{f.stop_signal} (--stop-signal: the container's lifecycle.stopSignal, Kubernetes 1.33+ "
        "with the ContainerStopSignals gate; without it containerd sends the image's STOPSIGNAL)"
        if f.options.stop_signal
        else f"{f.stop_signal} (containerd and CRI-O send the image's STOPSIGNAL, SIGTERM when it has none)"
    )
    return result(
        "as a Kubernetes pod",
        "note",
        f"checked as a pod runs it: no init (a pod has no --init: Compose's init: true has no Kubernetes "
        f"equivalent, so the image must carry its own, e.g. tini as its ENTRYPOINT), "
        f"{sent} then SIGKILL after terminationGracePeriodSeconds ({f.options.grace_s:g} s here; "
        "the kubelet takes a preStop hook's time out of it, and never gives less than 2 s). "
        "With shareProcessNamespace: "
        "true the pause container is pid 1 and reaps orphans, and this image's pid 1 is no longer pid 1: "
        "it then gets SIGTERM's default action (it ends) even with no handler",
        grace_s=f.options.grace_s,
        stop_signal=f.stop_signal,
    )


# --- behaviour ----------------------------------------------------------------------------------------


def reaping(f: Findings) -> CheckResult:
    name = NAMES["reaping"]
    o = f.orphan
    if o is None or o.error:
        return result(name, "inconclusive", o.error if o and o.error else "no orphan was made")
    figs: dict[str, Any] = {
        "orphan": o.pid,
        "adopted_by": o.adopted_by,
        "exited_at_s": o.exited_at_s,
        "reaped_at_s": o.reaped_at_s,
        "deadline_s": f.options.reap_deadline_s,
    }
    what = (
        f"the orphan pid {o.pid} (a busybox sleep {o.lifetime_s:g} whose docker-exec'd shell exited, "
        f"in a third container of the image) was adopted by pid {o.adopted_by}"
    )
    if o.zombie_at_end:
        left = f.snapshot("orphan-exited")
        z = left.get(o.pid) if left else None
        return result(
            name,
            "problem",
            f"{what}; it exited and was still a zombie "
            f"({z.state if z else 'Z'}, ppid {z.ppid if z else '?'}) {f.options.reap_deadline_s:g} s "
            "later: pid 1 never waits for the children it adopts, so zombies pile up",
            FIX_INIT,
            **figs,
        )
    if o.reaped_at_s is not None and o.exited_at_s is not None:
        after = max(0.0, o.reaped_at_s - o.exited_at_s)
        return result(name, "ok", f"{what} and reaped within {after:.2f} s of its exit", **figs)
    return result(
        name,
        "inconclusive",
        f"{what}, and was not seen to exit within the doctor's watch (its "
        f"{o.lifetime_s:g} s lifetime and {f.options.reap_deadline_s:g} s to be reaped, plus slack for a "
        "busy host)",
        **figs,
    )


def _kill_cap_hint(f: Findings, snap: Snapshot) -> str:
    """--cap-drop KILL (or ALL) with pid 1 root and the program another user: pid 1 may not signal it."""
    dropped = {c.upper().removeprefix("CAP_") for c in f.options.cap_drop}
    if not dropped & {"KILL", "ALL"} or {
        c.upper().removeprefix("CAP_") for c in f.options.cap_add
    } & {"KILL", "ALL"}:
        return ""
    p1 = snap.get(1)
    others = [k for k in snap.children(1) if p1 and k.user and k.user != p1.user]
    if p1 is None or not others:
        return ""
    return (
        f"pid 1 runs as {p1.user or '?'} and `{others[0].command}` as {others[0].user}: with --cap-drop "
        f"{'KILL' if 'KILL' in dropped else 'ALL'} pid 1 lacks CAP_KILL and may not signal a process of another "
        "user (kill fails with EPERM), so it cannot pass the signal on; keep CAP_KILL, or run both as one user"
    )


def _stop_fix(f: Findings, snap: Snapshot) -> str:
    p1 = snap.get(1)
    r = role(p1) if p1 else "program"
    hint = _kill_cap_hint(f, snap)
    if hint:
        return hint
    main = f.masks[-1] if f.masks else None
    if (
        main is not None
        and main.disposition(f.stop_signal) == Disposition.HANDLER
        and (r == "program" or len(f.masks) > 1)
    ):
        return (
            f"`{main.command}` catches {f.stop_signal} but had not ended when the grace period was over: make "
            f"its handler exit sooner, or give it a longer grace period ({GRACE_WORDS})"
        )
    if r == "shell":
        return "the shell as pid 1 does not pass the signal on: " + FIX_EXEC
    if r == "init":
        return (
            "the init passed the signal on, but the program did not end: handle it in the program, "
            "or set STOPSIGNAL to the signal the program stops on"
        )
    return (
        "pid 1 gets no default action for SIGTERM (the kernel drops it unless pid 1 has a handler): "
        "install a SIGTERM handler that exits, or " + FIX_INIT + " so the program is not pid 1; "
        "if the program stops on another signal, set STOPSIGNAL"
    )


def stop_check(f: Findings, snap: Snapshot) -> CheckResult:
    s = f.stop
    name = f"docker stop: it ends on {f.stop_signal} within the grace period"
    if s is None or (s.error and s.exit_code is None):
        return result(name, "inconclusive", s.error if s and s.error else "docker stop was not run")
    figs: dict[str, Any] = {
        "signal": s.signal,
        "grace_s": s.grace_s,
        "exit_code": s.exit_code,
        "took_s": round(s.took_s, 3),
    }
    said = f"docker stop -t {s.grace_s:g} sent {s.signal}"
    if s.ended:
        return result(
            name,
            "ok",
            f"{said}; the container exited with {code_words(s.exit_code)} after {s.took_s:.2f} s",
            **figs,
        )
    return result(
        name,
        "problem",
        f"{said} and nothing ended: after the {s.grace_s:g} s grace period the "
        f"engine SIGKILLed it ({code_words(s.exit_code)}, {s.took_s:.2f} s)",
        _stop_fix(f, snap),
        **figs,
    )


def sigint_check(f: Findings) -> CheckResult:
    name = NAMES["sigint"]
    s, rd = f.sigint, f.sigint_ready
    if rd is not None and not rd.up:
        return result(name, "inconclusive", f"the second container did not come up: {rd.detail}")
    if s is None or s.error:
        return result(name, "inconclusive", s.error if s and s.error else "SIGINT was not sent")
    figs: dict[str, Any] = {
        "exit_code": s.exit_code,
        "took_s": round(s.took_s, 3),
        "grace_s": s.grace_s,
    }
    if f.sigint_masks is not None:
        figs["pid1_masks"] = f.sigint_masks.to_dict()
        figs["pid1_disposition"] = str(f.sigint_masks.disposition("SIGINT"))
    if s.ended:
        return result(
            name,
            "ok",
            f"it exited with {code_words(s.exit_code)} {s.took_s:.2f} s after SIGINT",
            **figs,
        )
    p1 = f.snapshot("ready")
    r = role(init) if p1 and (init := p1.get(1)) else "program"
    fix = (
        FIX_EXEC
        if r == "shell"
        else "the init passes SIGINT on, but the program it runs did not end on it: handle SIGINT in the program, "
        "or exec it from its wrapper script so it gets the signal itself"
        if r == "init"
        else "handle SIGINT in the program (pid 1 gets no default action), or " + FIX_INIT
    )
    dropped = (
        f"; pid 1's SIGINT is {f.sigint_masks.disposition('SIGINT')}" if f.sigint_masks else ""
    )
    return result(
        name,
        "problem",
        f"still running {s.grace_s:g} s after SIGINT{dropped}: Ctrl-C on 'docker run' "
        "or a SIGINT from a supervisor does nothing",
        fix,
        **figs,
    )


def _ended_by_signal(fate: Fate, s: Stop, inherited: bool) -> bool:
    if fate.status == "signal 9":
        return False
    if fate.ended_s is None:
        return inherited  # an init passed its status on as the container's exit code
    return s.ended or fate.ended_s < s.grace_s - 0.05


FORWARD_FAILED = re.compile(
    r"(forward|kill|signal).*(Operation not permitted|EPERM|Permission denied)", re.I
)


def forwarding(f: Findings, snap: Snapshot) -> CheckResult:
    name = NAMES["forwarding"]
    p1, s = snap.get(1), f.stop
    if p1 is None or s is None or (s.error and s.exit_code is None):
        return result(name, "inconclusive", "docker stop could not be watched")
    if not [k for k in snap.children(1) if k.state != "Z" and not k.probe]:
        return result(
            name, "ok", f"pid 1 (`{p1.command}`) wraps no other program: nothing to pass on"
        )
    r = role(p1)
    inherited = r == "init" and s.ended
    programs = [x for x in s.watched if (p := snap.get(x.pid)) and p.ppid == 1]
    others = [x for x in s.watched if x not in programs]
    figs: dict[str, Any] = {
        "watched": [vars(x) for x in s.watched],
        "source": s.watch_source,
        "evidence": "inferred from when each process ended and the exit codes (no kernel record)",
    }
    if _record_covers(f, s.watched):
        return _forwarding_by_record(f, snap, programs, others, figs)
    if f.kernel is not None and f.kernel.recorded:
        figs["evidence"] += (
            "; the kernel's record missed a watched process (it began after that one's fork)"
        )
    failed = [line for line in f.said_after("stop", s.sent_at) if FORWARD_FAILED.search(line)]
    if failed and programs:
        figs["said"] = failed[0]
        return result(
            name,
            "problem",
            f"pid 1 (`{p1.command}`) could not pass {s.signal} on to "
            f"`{programs[0].command}`; after the signal it printed: {failed[0]!r}, and the container ended "
            f"with {code_words(s.exit_code)}: the program died with the container, unwarned",
            _kill_cap_hint(f, snap)
            or "give pid 1 the right to signal its program (CAP_KILL, or the same user)",
            **figs,
        )
    deaf = [x for x in programs if not _ended_by_signal(x, s, inherited)]
    if deaf:
        how = (
            "was still running when the engine SIGKILLed the container"
            if not s.ended
            else "was SIGKILLed by the kernel when pid 1 exited, without its turn to stop"
        )
        fix = _forwarding_fix(f, snap, r)
        return result(
            name,
            "problem",
            f"`{deaf[0].command}` (pid {deaf[0].pid}) {how}: pid 1 "
            f"(`{p1.command}`) did not pass {s.signal} on (an inference from timing and exit codes)",
            fix,
            **figs,
        )
    stragglers = [x for x in others if x.orphaned or x.ended_s is None or x.status == "signal 9"]
    ended = "; ".join(
        f"`{x.command}` ended {x.ended_s:.2f} s after {s.signal}"
        + (f" ({x.status})" if x.status else "")
        if x.ended_s is not None
        else f"`{x.command}` ended with the exit code pid 1 passed on ({code_words(s.exit_code)})"
        for x in programs
    )
    if stragglers:
        return result(
            name,
            "problem",
            f"{ended}; but its child `{stragglers[0].command}` (pid {stragglers[0].pid}) "
            + (
                "was re-parented to pid 1 and outlived it"
                if stragglers[0].orphaned
                else "outlived it until the container's end"
            ),
            FIX_GROUP,
            **figs,
        )
    note = "" if r != "shell" else "; the shell as pid 1 passed it on (a wrapper that works)"
    return result(
        name,
        "ok",
        f"{ended}"
        + (f"; its {len(others)} child process(es) ended too" if others else "")
        + note
        + " (inferred from timing and exit codes)",
        **figs,
    )


FIX_GROUP = (
    "signal the whole process group: tini -g, or dumb-init (its default); or have the program "
    "stop its children before it exits"
)


def _forwarding_fix(f: Findings, snap: Snapshot, pid1_role: str) -> str:
    """How to make pid 1 pass the stop signal on, by what pid 1 is (or the capability it lacks)."""
    return _kill_cap_hint(f, snap) or (
        FIX_EXEC
        if pid1_role == "shell"
        else "make pid 1 pass the stop signal on to its children"
        if pid1_role == "program"
        else "let the init signal the program (tini passes SIGTERM on; check its -s/-g options)"
    )


def _record_covers(f: Findings, watched: list[Fate]) -> bool:
    """The record can judge only processes it knows: there when it began, or seen since."""
    rec = f.kernel
    if rec is None or not rec.recorded or rec.lost or f.stop_at_t is None:
        return False
    known = set(rec.already_there) | rec.pids()
    return all(x.pid in known for x in watched)


def _forwarding_by_record(
    f: Findings, snap: Snapshot, programs: list[Fate], others: list[Fate], figs: dict[str, Any]
) -> CheckResult:
    """Forwarding told by the kernel's record: who was sent the stop signal, who died of SIGKILL untold."""
    s, p1 = f.stop, snap.get(1)
    assert s is not None and p1 is not None and f.kernel is not None and f.stop_at_t is not None
    st = story(f.kernel, s.signal, f.stop_at_t)
    untold = {e.pid for e in st.killed_untold}
    figs.update(evidence="the kernel's record", kernel=st.lines)
    said = "; ".join(st.lines) or f"no {s.signal} recorded"
    name = NAMES["forwarding"]
    deaf = [x for x in programs if x.pid in untold]
    if deaf:
        r = role(p1)
        fix = _forwarding_fix(f, snap, r)
        return result(
            name,
            "problem",
            f"the kernel's record: {said}; `{deaf[0].command}` (pid {deaf[0].pid}) was never "
            f"sent {s.signal} and died of SIGKILL at the namespace's end: pid 1 (`{p1.command}`) did not "
            "pass it on",
            fix,
            **figs,
        )
    strays = [x for x in others if x.pid in untold]
    if strays:
        return result(
            name,
            "problem",
            f"the kernel's record: {said}; but `{strays[0].command}` (pid {strays[0].pid}) "
            f"was never sent {s.signal} and died of SIGKILL at the namespace's end",
            FIX_GROUP,
            **figs,
        )
    return result(name, "ok", f"the kernel's record: {said}", **figs)
