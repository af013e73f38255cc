"""The host's processes, read from the host's /proc.

On a host that is plain /proc. When the harness itself runs in a container (the
'labs' service of docker-compose.yml), its own /proc shows only its own pid
namespace; the service mounts the host's /proc read-only and names it in
PROCLAB_HOST_PROC, so the harness can still find a lab's processes by host pid
(the pid1 and forkbomb labs' checks) without sharing the host's pid namespace.

psutil is not used here on purpose: its /proc root is one global setting, and
the harness's own processes must still be read from its own /proc.
"""

from __future__ import annotations

import os
from functools import lru_cache

ENV = "PROCLAB_HOST_PROC"
OWN_PROC = "/proc"  # this process's own namespace's: a harness names itself by its pid there


def root() -> str:
    return os.environ.get(ENV) or "/proc"


def pids() -> list[int]:
    return [int(n) for n in os.listdir(root()) if n.isdigit()]


def read(pid: int, name: str) -> str | None:
    """/proc/<pid>/<name> of a host process, or None if it is gone or unreadable."""
    try:
        with open(f"{root()}/{pid}/{name}") as f:
            return f.read()
    except OSError:
        return None


def nspid(pid: int) -> list[int] | None:
    """The pid in each nested pid namespace, host first (NSpid), or None."""
    status = read(pid, "status")
    for line in (status or "").splitlines():
        if line.startswith("NSpid:"):
            return [int(x) for x in line.split()[1:]]
    return None


@lru_cache(maxsize=1)
def _boot_time() -> float:
    with open(f"{root()}/stat") as f:
        return float(next(ln.split()[1] for ln in f if ln.startswith("btime ")))


def start_ticks(pid: int, proc: str | None = None) -> int | None:
    """When a process started, in clock ticks since boot (``starttime`` in /proc/PID/stat), or None.

    The identity to compare *across processes*: it never moves. A start in seconds since the epoch
    adds btime, the wall clock's idea of the boot, which moves whenever the clock is set: on this
    machine it moved 11 s during one CI run, and a live harness would have looked dead to the next
    one's sweep. ``proc``: another /proc than the host's (this process's own, for owner labels)."""
    fields = _stat(pid, proc)
    return None if fields is None else int(fields[19])


def living_start_ticks(pid: int, proc: str | None = None) -> int | None:
    """start_ticks of a process that still runs: None when it is gone, or a zombie (it has ended,
    only its parent's wait is missing: a harness a test killed and never waited for)."""
    fields = _stat(pid, proc)
    return None if fields is None or fields[0] in ("Z", "X") else int(fields[19])


def _stat(pid: int, proc: str | None) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces): state first."""
    try:
        with open(f"{proc or root()}/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def create_time(pid: int) -> float | None:
    """When a host process started (seconds since the epoch, clock-tick resolution), or None.
    Steady within one process (btime is read once), not across processes: see start_ticks."""
    ticks = start_ticks(pid)
    return None if ticks is None else _boot_time() + ticks / os.sysconf("SC_CLK_TCK")


def alive(pid: int, started: float) -> bool:
    """Whether host process pid, which started at ``started`` (from create_time), still exists."""
    now = create_time(pid)
    return now is not None and abs(now - started) < 0.02


def pid_max() -> int:
    try:
        with open(f"{root()}/sys/kernel/pid_max") as f:
            return int(f.read())
    except OSError:
        return 0


# rt_sigtimedwait's number, per machine: a process in it (tini, dumb-init's sigwait) has the
# signals it waits for *unblocked* in SigBlk while it waits, so the set is read from its memory.
_SIGTIMEDWAIT = {"x86_64": 128, "aarch64": 137}


def sigwait_set(pid: int) -> int | None:
    """The signal set a host process is waiting for in rt_sigtimedwait (a bit mask, as SigBlk),
    or None when it is not in that call or its memory cannot be read (not root, not this host)."""
    import platform

    nr = _SIGTIMEDWAIT.get(platform.machine())
    fields = (read(pid, "syscall") or "").split()
    if nr is None or len(fields) < 2 or fields[0] != str(nr):
        return None
    try:
        with open(f"{root()}/{pid}/mem", "rb") as mem:
            mem.seek(int(fields[1], 16))
            return int.from_bytes(mem.read(8), "little")
    except (OSError, ValueError, OverflowError):
        return None
