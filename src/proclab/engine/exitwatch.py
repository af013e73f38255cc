"""When a container's pid 1 ended, as the kernel saw it, not as the engine later reports it.

After ``docker kill`` or ``docker stop`` the harness asks the engine to wait for the exit. The
engine answers once its own bookkeeping has caught up: Docker 20.10 some 80 ms after pid 1 ended,
Podman 4.3 300 ms to a second (its conmon writes an exit file, a cleanup process reads it). A
lab that asks "did it end at once?" wants the kernel's moment: a pidfd of pid 1's host process
becomes readable when that process exits (``poll``, no polling loop of ours).

Where the harness cannot see the engine's processes (an engine on another machine, or the
harness in a container of its own pid namespace) there is no pidfd: ``ended_at`` is None and
the caller keeps the engine's time.
"""

from __future__ import annotations

import os
import select
import threading
import time

from .. import threads
from . import hostproc


class ExitWatch:
    """Started before the signal; ``ended_at()`` is the monotonic time pid 1 exited, or None."""

    def __init__(self, host_pid: int):
        self._fd: int | None = None
        self._at: float | None = None
        self._done = threading.Event()
        started = hostproc.create_time(host_pid) if host_pid > 0 else None
        if started is None or hostproc.root() != "/proc" or not hasattr(os, "pidfd_open"):
            return  # not a process of our pid namespace: the engine's time only
        try:
            self._fd = os.pidfd_open(host_pid)
        except OSError:
            return
        if not hostproc.alive(host_pid, started):  # the pid was reused before we held it
            os.close(self._fd)
            self._fd = None
            return
        # a daemon: if pid 1 never ends, its container's removal ends it, and this thread with it
        threads.daemon(self._wait, self._fd, name=f"exit watch {host_pid}")

    def _wait(self, fd: int) -> None:
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll()  # readable once the process has exited
            self._at = time.monotonic()
        finally:
            os.close(fd)
            self._done.set()

    def ended_at(self, timeout: float = 1.0) -> float | None:
        """When pid 1 exited (monotonic), once the engine says it did; None without a pidfd."""
        if self._fd is None:
            return None
        self._done.wait(timeout)
        return self._at
