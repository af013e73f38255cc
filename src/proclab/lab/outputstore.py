"""A run's output, bounded: the first lines and the last lines, and a count of what was between.

A scenario may print without end (``while True: print(i)``); the harness keeps at most
``head_lines`` lines from the start and ``tail_lines`` from the end, each part within
``max_chars`` / 2 characters, and counts the lines and characters it let go. The reader
thread adds; the run takes the result once, when the container has ended.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from .result import OutputLine


@dataclass(frozen=True)
class OutputLimits:
    head_lines: int = 1000
    tail_lines: int = 1000
    max_chars: int = 4 * 1024 * 1024  # head and tail together: a few MB


@dataclass(frozen=True)
class Kept:
    """What is left of a run's output: ``head`` + ``tail``, and how much was dropped between them."""

    head: list[OutputLine]
    tail: list[OutputLine]
    dropped_lines: int
    dropped_chars: int


class OutputStore:
    def __init__(self, limits: OutputLimits | None = None):
        self.limits = limits or OutputLimits()
        self._head: list[OutputLine] = []
        self._head_chars = 0
        self._head_full = False
        self._tail: deque[OutputLine] = deque()
        self._tail_chars = 0
        self.dropped_lines = 0
        self.dropped_chars = 0
        self._lock = threading.Lock()

    def add(self, line: OutputLine) -> bool:
        """Keep the line (for now); True when it is one of the first lines, kept for good."""
        size = len(line.text) + 1
        half = self.limits.max_chars // 2
        with self._lock:
            if not self._head_full:
                if len(self._head) < self.limits.head_lines and self._head_chars + size <= half:
                    self._head.append(line)
                    self._head_chars += size
                    return True
                self._head_full = True
            self._tail.append(line)
            self._tail_chars += size
            while self._tail and (
                len(self._tail) > self.limits.tail_lines or self._tail_chars > half
            ):
                gone = self._tail.popleft()
                self._tail_chars -= len(gone.text) + 1
                self.dropped_lines += 1
                self.dropped_chars += len(gone.text) + 1
            return False

    def kept(self) -> Kept:
        with self._lock:
            return Kept(list(self._head), list(self._tail), self.dropped_lines, self.dropped_chars)
