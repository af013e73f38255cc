"""Call fn in a thread of its own and give up on it at a deadline: the one helper for it.

Python cannot stop a thread, so a call past its deadline is abandoned, not ended: it runs on
in a daemon thread (which never holds the process's exit) and its late result is dropped. The
thread runs in a copy of the caller's context, so the engine the caller chose
(``engine.using``) and any other context variable go with it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from . import threads
from .errors import CallTimeout

T = TypeVar("T")


class Call(Generic[T]):
    """fn() started now in a daemon thread; ``result(timeout)`` is its value or its exception."""

    def __init__(self, fn: Callable[[], T], operation: str, target: str = ""):
        self.operation, self.target = operation, target
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        ctx = contextvars.copy_context()
        self.thread = threading.Thread(
            target=lambda: ctx.run(self._work, fn),
            daemon=True,
            name=f"{operation} {target}".strip()[:60],
        )
        threads.start(self.thread)

    def _work(self, fn: Callable[[], T]) -> None:
        try:
            self._value = fn()
        except BaseException as err:  # re-raised in the caller's thread by result()
            self._error = err
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the call has ended (within ``timeout`` seconds; None: however long it takes)."""
        return self._done.wait(None if timeout is None else max(0.0, timeout))

    def result(self, timeout: float | None = None) -> T:
        """Its value (or its exception, raised here); CallTimeout if it is still running after
        ``timeout`` seconds."""
        if not self.wait(timeout):
            raise CallTimeout(
                self.operation,
                self.target,
                f"it did not finish within {max(0.0, timeout or 0.0):.1f} s",
            )
        if self._error is not None:
            raise self._error
        return cast(T, self._value)  # set: the call returned


def call_within(seconds: float, operation: str, target: str, fn: Callable[[], T]) -> T:
    """fn() in a worker thread, or CallTimeout if it has not returned within ``seconds``."""
    return Call(fn, operation, target).result(seconds)
