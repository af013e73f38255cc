"""The host-wide lab lock: labs that measure CPU time hold it alone; others share it."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def lock_path() -> Path:
    return Path(os.environ.get("PROCLAB_LOCK", "/tmp/proclab-labs.lock"))


@contextmanager
def lab_lock(exclusive: bool) -> Iterator[None]:
    fd = os.open(lock_path(), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
