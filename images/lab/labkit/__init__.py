"""labkit: the in-container side of proclab (stdlib + psutil only).

A scenario calls ``checkpoint(name, **data)`` at each moment worth seeing.
Under the proclab harness the call announces the moment on stdout and blocks
until the harness has snapshotted the process table and released it. Run by
hand (``docker run proclab/lab python3 /labs/zombies/scenario.py``) the call
prints the process table itself and carries on.
"""

from __future__ import annotations

import json
import os
import select
import sys
import threading
import time

__all__ = [
    "checkpoint",
    "harnessed",
    "say",
    "spin",
    "wait_asleep",
    "wait_gone",
    "wait_for_the_probe",
    "CHECKPOINT_MARK",
]

# The announcement line starts with this mark; the harness looks for it.
CHECKPOINT_MARK = "\x1e@proclab:checkpoint "
CHECKPOINT_DIR = os.environ.get("PROCLAB_CHECKPOINT_DIR", "/run/proclab")

_seq = 0


def harnessed() -> bool:
    """True when the proclab harness is following this scenario."""
    return os.environ.get("PROCLAB_HARNESS") == "1"


def say(*parts: object) -> None:
    """Print a line of narration, prefixed by the speaker's pid."""
    # one write per line, so lines from several processes never interleave
    sys.stdout.write(" ".join([f"[pid {os.getpid()}]", *map(str, parts)]) + "\n")
    sys.stdout.flush()


def wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Block until `pid` (not our child: say, an orphan that pid 1 will reap) has left the
    table, or `timeout` passes. A non-parent cannot wait(); psutil looks until it is gone."""
    import psutil

    try:
        psutil.Process(pid).wait(timeout=timeout)
    except psutil.NoSuchProcess:
        pass


def wait_asleep(pids: list[int], timeout: float = 10.0) -> list[int]:
    """Return once the kernel shows every pid asleep (S), or at the deadline; returns those awake.

    Only for processes that have reported reaching a blocking call they cannot leave until the
    scenario acts (a consumer whose queue is empty for good): this covers their last instructions
    before the call blocks, which on a busy host can outlast a fast snapshot. No event says "went
    to sleep", so it looks every 2 ms. A pid still awake at the deadline is left for the checks,
    which then fail with the table as evidence.
    """
    deadline = time.monotonic() + timeout
    while True:
        awake = [p for p in pids if kernel_state(p) not in ("S", "gone")]
        if not awake or time.monotonic() > deadline:
            return awake
        time.sleep(0.002)


def kernel_state(pid: int, tid: int = 0) -> str:
    """The kernel's state letter for a process (or one of its threads), or "gone"."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    try:
        with open(path) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def wait_for_the_probe() -> None:
    """The harness's exec'd probe is a process in this container too, and it releases a
    checkpoint before it has quite exited. Wait (pidfd, no polling) until it is gone, for a
    scenario that counts the container's processes (a pids limit) from a known number."""
    import select

    import psutil

    for p in psutil.process_iter(["cmdline"]):
        if "labkit.probe" in (p.info["cmdline"] or []):
            try:
                fd = os.pidfd_open(p.pid)
            except ProcessLookupError:
                continue
            select.select([fd], [], [], 5.0)  # readable once the process has exited
            os.close(fd)


def spin(seconds: float) -> int:
    """Burn CPU for ``seconds`` of wall time; returns the loop count."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def checkpoint(name: str, /, *, top: bool = False, **data: object) -> None:
    """Announce a named moment and wait until the harness has looked.

    ``data`` (JSON-serialisable) travels with the snapshot, e.g. the pids the
    checks should look at. ``top=True`` asks for ``top -b -n 1`` at this
    checkpoint too (it costs about 150 ms, so only where a check needs it).
    """
    if not harnessed():
        from .standalone import show

        show(name, data)
        return
    global _seq
    _seq += 1
    os.makedirs(CHECKPOINT_DIR, exist_ok=True)
    fifo = os.path.join(CHECKPOINT_DIR, f"cp-{os.getpid()}-{_seq}")
    os.mkfifo(fifo, 0o600)
    # The read end is open *before* the announcement goes out: the harness may read the
    # line, snapshot and release within microseconds (the resident probe does), and a
    # release that found no reader yet (ENXIO) would leave this process waiting for ever.
    # Linux raises no POLLHUP on a FIFO that has never had a writer, so poll() sleeps
    # until the harness's probe has opened it, written and closed it: a real rendezvous.
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        msg = {
            "name": name,
            "data": data,
            "pid": os.getpid(),
            "tid": threading.get_native_id(),
            "fifo": fifo,
            "top": top,
            "t": time.time(),
        }
        os.write(1, (CHECKPOINT_MARK + json.dumps(msg, default=str) + "\n").encode())
        waiter = select.poll()
        waiter.register(fd, select.POLLIN | select.POLLHUP)
        while not waiter.poll():
            pass
    finally:
        os.close(fd)
        try:
            os.unlink(fifo)
        except FileNotFoundError:
            pass
