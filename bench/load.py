"""CPU-burning host processes for bench/soak.py --load N: outside Docker, like a learner's browser
or another user's build. Each is bounded by a deadline; ``stop()`` ends them (and an atexit hook)."""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import signal
import time


def _die_with_parent() -> None:
    """A soak killed with SIGKILL must not leave its burners behind: PR_SET_PDEATHSIG."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _burn(deadline: float) -> None:
    _die_with_parent()
    while time.monotonic() < deadline:
        pass


class Load:
    def __init__(self, n: int, max_s: float):
        ctx = multiprocessing.get_context("fork")
        self.procs = [
            ctx.Process(
                target=_burn, args=(time.monotonic() + max_s,), daemon=True, name=f"soak-load-{i}"
            )
            for i in range(n)
        ]
        for p in self.procs:
            p.start()
        atexit.register(self.stop)

    def stop(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(10)
        self.procs = []
