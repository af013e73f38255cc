"""What every doctor check shares: the fixes it names, the checks' names, a result with its verdict,
an exit code in words. Pure."""
from __future__ import annotations

import signal as _signal
from typing import Any

from ..lab.result import CheckResult
from ..snapshot import Process


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


def cmd_pid(p: Process | None) -> str:
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
