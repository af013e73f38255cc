"""One line of tracefs's ``trace_pipe`` (with ``options/record-tgid``), parsed (pure).

    <comm>-<tid> (<tgid>) [<cpu>] <flags> <seconds>: <event>: <fields>

``parse_line`` returns a ``TraceLine`` (None for a header or an unknown format); the overrun marker
``CPU:N [LOST M EVENTS]`` is the event ``lost``. ``lab/kernel_trace.py`` folds the lines into the record.
"""

from __future__ import annotations

import re
import signal as _signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CLONE_THREAD = 0x10000
UNKNOWN_COMM = "<...>"  # the trace's comm cache had no name for the task

_HEAD = re.compile(
    r"^\s*(?P<comm>.*?)-(?P<tid>\d+)\s+\(\s*(?P<tgid>\d+|-+)\)\s+\[(?P<cpu>\d+)\]\s+"
    r"(?P<flags>\S+)\s+(?P<ts>\d+\.\d+):\s+(?P<rest>.*)$"
)
_HEAD_NO_TGID = re.compile(
    r"^\s*(?P<comm>.*?)-(?P<tid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<flags>\S+)\s+"
    r"(?P<ts>\d+\.\d+):\s+(?P<rest>.*)$"
)
_LOST = re.compile(r"CPU:(?P<cpu>\d+) \[LOST (?P<n>\d+) EVENTS\]")
_BODIES = {
    "sched_process_fork": re.compile(
        r"comm=(?P<comm>.*) pid=(?P<pid>\d+) child_comm=(?P<child_comm>.*) "
        r"child_pid=(?P<child_pid>\d+)$"
    ),
    "sched_process_exec": re.compile(
        r"filename=(?P<filename>.*) pid=(?P<pid>\d+) old_pid=(?P<old_pid>\d+)$"
    ),
    "sched_process_exit": re.compile(
        r"comm=(?P<comm>.*) pid=(?P<pid>\d+) prio=\d+(?: group_dead=(?P<group_dead>\w+))?$"
    ),
    "sched_process_free": re.compile(r"comm=(?P<comm>.*) pid=(?P<pid>\d+) prio=\d+$"),
    "task_newtask": re.compile(
        r"pid=(?P<pid>\d+) comm=(?P<comm>.*) clone_flags=(?P<clone_flags>[0-9a-f]+) "
    ),
    "signal_generate": re.compile(
        r"sig=(?P<sig>\d+) errno=-?\d+ code=(?P<code>-?\d+) comm=(?P<comm>.*) "
        r"pid=(?P<pid>\d+) grp=(?P<grp>\d+) res=(?P<res>\d+)$"
    ),
    "signal_deliver": re.compile(
        r"sig=(?P<sig>\d+) errno=-?\d+ code=(?P<code>-?\d+) "
        r"sa_handler=(?P<sa_handler>[0-9a-f]+) sa_flags=[0-9a-f]+$"
    ),
    "mark_victim": re.compile(r"pid=(?P<pid>\d+) comm=(?P<comm>\S*)"),
}
_SYSCALL_ENTER = re.compile(r"^sys_(?P<name>\w+)\((?P<args>.*)\)$")
_SYSCALL_EXIT = re.compile(r"^sys_(?P<name>\w+) -> (?P<ret>0x[0-9a-f]+|-?\d+)$")

# signals whose default action ends the process (the others: ignore, stop or continue)
NOT_FATAL = {"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGWINCH"}


def signal_name(sig: int) -> str:
    try:
        return _signal.Signals(sig).name
    except ValueError:
        return f"SIG{sig}"


@dataclass(frozen=True)
class TraceLine:
    """One line of trace_pipe: who was current (its comm, thread id and process id), when (the
    trace clock: CLOCK_MONOTONIC seconds), the event and its fields (strings, as printed).
    ``event`` is ``lost`` for the overrun marker (``fields['lost']``), ``sys_enter_NAME`` /
    ``sys_exit_NAME`` for syscalls (``args`` / ``ret``)."""

    ts: float
    event: str
    fields: Mapping[str, str]
    comm: str = ""
    tid: int = 0
    tgid: int = 0
    cpu: int = 0


def parse_line(text: str) -> TraceLine | None:
    """The line's event, or None for a line that is not one (a header, a blank, an unknown format)."""
    lost = _LOST.search(text)
    if lost and "[LOST" in text and not _HEAD.match(text):
        return TraceLine(0.0, "lost", {"lost": lost.group("n")}, cpu=int(lost.group("cpu")))
    m = _HEAD.match(text) or _HEAD_NO_TGID.match(text)
    if not m:
        return None
    tid = int(m.group("tid"))
    tgid_text = m.groupdict().get("tgid") or ""
    tgid = int(tgid_text) if tgid_text.isdigit() else tid
    rest = m.group("rest")
    head: dict[str, Any] = dict(
        ts=float(m.group("ts")), comm=m.group("comm"), tid=tid, tgid=tgid, cpu=int(m.group("cpu"))
    )
    enter = _SYSCALL_ENTER.match(rest)
    if enter:
        return TraceLine(
            event=f"sys_enter_{enter.group('name')}", fields={"args": enter.group("args")}, **head
        )
    leave = _SYSCALL_EXIT.match(rest)
    if leave:
        return TraceLine(
            event=f"sys_exit_{leave.group('name')}", fields={"ret": leave.group("ret")}, **head
        )
    event, _, body = rest.partition(": ")
    pattern = _BODIES.get(event)
    found = pattern.search(body) if pattern else None
    if not found:
        return None
    return TraceLine(
        event=event, fields={k: v for k, v in found.groupdict().items() if v is not None}, **head
    )


def syscall_ret(text: str) -> int:
    """A syscall's return as printed (``0x25``, or two's complement ``0xfffffffffffffff6`` for -10)."""
    value = int(text, 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def exit_code(args: str) -> int | None:
    m = re.search(r"error_code: (0x[0-9a-f]+|\d+)", args)
    return int(m.group(1), 0) & 0xFF if m else None  # the status keeps the low 8 bits
