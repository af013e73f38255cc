"""A step run in a thread beside the main one, for what need not hold up the next step: the SIGINT
container's create, the kit's copy and tracefs' set-up while the doctor waits for "up"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Beside(Generic[T]):
    """fn run in a thread beside the main one; result() waits for it and gives its value or raises
    its error in the caller's thread."""

    def __init__(self, fn: Callable[[], T]):
        self._fn = fn
        self._out: T | None = None
        self._err: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._out = self._fn()
        except BaseException as err:
            self._err = err

    def result(self) -> T:
        self._thread.join()
        if self._err is not None:
            raise self._err
        return self._out  # type: ignore[return-value]


def made_anyway(beside: Beside[T]) -> T | None:
    """What a side step made though the main one failed (Ctrl-C, an engine error): to remove it."""
    try:
        return beside.result()
    except BaseException:
        return None
