"""The host-wide lab lock: labs that measure CPU time hold it alone; others share it.

Several users on one machine share the lock file: whoever creates it makes it 0666
(despite their umask), and everyone opens it read-only, which is all ``flock`` needs,
so a lock file another user created 0644 still works.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import EnvironmentProblem

WAIT_EXCLUSIVE = "waiting for the other labs on this host to finish: a CPU-timing lab runs alone…"
WAIT_SHARED = "waiting for another CPU-timing lab to finish…"


def lock_path(engine_url: str = "") -> Path:
    """The lock of the machine whose CPUs the labs share: this host's for an engine reached by a
    unix socket (the host's dockerd and a Podman beside it share the CPUs), one per remote engine
    (tcp://, ssh://: its own machine, its own CPUs) beside it."""
    path = Path(os.environ.get("PROCLAB_LOCK", "/tmp/proclab-labs.lock"))
    if not engine_url or engine_url.startswith(("unix://", "npipe://")):
        return path
    return path.with_name(
        f"{path.stem}-{hashlib.sha256(engine_url.encode()).hexdigest()[:12]}{path.suffix}"
    )


def _open(path: Path) -> int:
    for _ in range(3):  # another user may create it between our two tries
        try:
            return os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            pass
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.fchmod(fd, 0o666)  # the umask took some bits away: give them back, for the next user
            return fd
        except FileExistsError:
            continue
    raise EnvironmentProblem(f"cannot open the lab lock {path}: it keeps appearing and vanishing")


@dataclass
class LockWait:
    """How long taking the lock took (0 when it was free at once)."""

    waited_s: float = 0.0


@contextmanager
def lab_lock(
    exclusive: bool, on_wait: Callable[[str], None] | None = None, engine_url: str = ""
) -> Iterator[LockWait]:
    """Hold the lock (of the machine behind ``engine_url``); when another holder makes us wait,
    say so at once through ``on_wait``."""
    path = lock_path(engine_url)
    try:
        fd = _open(path)
    except OSError as err:
        raise EnvironmentProblem(
            f"cannot open the lab lock {path}: {err.strerror}; make it readable by "
            "every user (chmod 0666), or set PROCLAB_LOCK to a file you can read"
        ) from None
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    wait = LockWait()
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:  # someone holds it: tell the user before blocking
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
