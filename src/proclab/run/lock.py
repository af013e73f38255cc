"""The host-wide lab lock: labs that measure CPU time hold it alone; others share it."""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

WAIT_EXCLUSIVE = "waiting for the other labs on this host to finish: a CPU-timing lab runs alone…"
WAIT_SHARED = "waiting for another CPU-timing lab to finish…"


def lock_path() -> Path:
    return Path(os.environ.get("PROCLAB_LOCK", "/tmp/proclab-labs.lock"))


@dataclass
class LockWait:
    """How long taking the lock took (0 when it was free at once)."""

    waited_s: float = 0.0


@contextmanager
def lab_lock(exclusive: bool, on_wait: Callable[[str], None] | None = None) -> Iterator[LockWait]:
    """Hold the lock; when another holder makes us wait, say so at once through ``on_wait``."""
    fd = os.open(lock_path(), os.O_RDWR | os.O_CREAT, 0o666)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    wait = LockWait()
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:          # someone holds it: tell the user before blocking
            if on_wait:
                on_wait(WAIT_EXCLUSIVE if exclusive else WAIT_SHARED)
            t = time.monotonic()
            fcntl.flock(fd, mode)
            wait.waited_s = time.monotonic() - t
            if on_wait:
                on_wait(f"waited {wait.waited_s:.1f}s for the lab lock")
        yield wait
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
