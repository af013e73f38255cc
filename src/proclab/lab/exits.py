"""How a scenario's run ended, judged: a non-zero exit is the lab's failure unless declared.

A run may end non-zero when its variant says so (``expect_exit = N`` or ``"signal"``),
when it was expected to hit its timeout, or when one of its actions (``stop``, ``kill``)
ended it. Otherwise the failure names its cause, found in what the run recorded: the OOM
killer at the memory limit, an uncaught Python exception (its traceback, wherever in the
run it was printed — before the first checkpoint or after the last), or a signal (128+N).
Pure: it reads a ``RunRecord`` only.
"""

from __future__ import annotations

import re
import signal

from .result import RunRecord

TRACEBACK = "Traceback (most recent call last):"
PY_ERROR_END = re.compile(r"^(SyntaxError|IndentationError|TabError): ")
TRACEBACK_LINES = 12  # the end of the traceback, where the cause is


def expected(rec: RunRecord) -> bool:
    """The exit code is what the variant declared (0 when it declared nothing)."""
    code, want = rec.exit_code, rec.expect_exit
    if want == "signal":
        return code is not None and code > 128
    return code == (want if want is not None else 0)


def ended_by_action(rec: RunRecord) -> bool:
    return any(a.do in ("stop", "kill") and not a.error for a in rec.actions)


def problem(rec: RunRecord) -> str | None:
    """Why this run fails the lab by how it ended, or None when its end was expected."""
    if rec.timed_out or rec.exit_code is None or ended_by_action(rec) or expected(rec):
        return None
    code, when = rec.exit_code, _when(rec)
    if code == 0:
        return f"the scenario exited 0, but its variant declares expect_exit = {rec.expect_exit!r}"
    if rec.oom_killed:
        return (
            f"the scenario was killed by the kernel's OOM killer at the memory limit {when} (exit {code}; "
            f"mem_limit = {rec.settings.get('mem_limit')!r}): use less memory or raise mem_limit in lab.toml"
        )
    tb = traceback_of(rec)
    if tb:
        return f"the scenario crashed {when} (exit {code}): {tb[-1].strip()}\n" + "\n".join(
            tb[-TRACEBACK_LINES:]
        )
    if code > 128:
        return (
            f"the scenario was killed by {_signame(code - 128)} {when} (exit {code} = 128+{code - 128}); "
            'if the lab means it, declare expect_exit = "signal" in its variant'
        )
    return (
        f"the scenario exited {code} {when}{_declared(rec)}; if the lab means it, declare "
        f"expect_exit = {code} in its variant"
    )


def _signame(n: int) -> str:
    try:
        return signal.Signals(n).name
    except ValueError:
        return f"signal {n}"


def traceback_of(rec: RunRecord) -> list[str]:
    """The last uncaught-exception traceback (or SyntaxError report) on stderr, from its first line."""
    err = [o.text for o in rec.output if o.stream == "stderr" and o.text.strip()]
    starts = [i for i, line in enumerate(err) if line.strip() == TRACEBACK]
    if starts:
        return err[starts[-1] :]
    if err and PY_ERROR_END.match(err[-1]):
        return err[-TRACEBACK_LINES:]
    return []


def _when(rec: RunRecord) -> str:
    if not rec.checkpoints:
        return "before its first checkpoint"
    return f"after checkpoint '{rec.checkpoints[-1].name}'"


def _declared(rec: RunRecord) -> str:
    return (
        f" (its variant declares expect_exit = {rec.expect_exit!r})"
        if rec.expect_exit is not None
        else ""
    )
