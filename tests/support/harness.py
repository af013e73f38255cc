"""proclab as a real subprocess, for tests about the process itself: a harness a test
signals or kills (``Harness``, its narration read line by line with a deadline), and a run in a
fresh interpreter (``run_proclab``) where the environment must be read at start-up."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time


def proclab_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "proclab.cli", *args]


def run_proclab(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        proclab_cmd(*args), capture_output=True, text=True, env=full_env, timeout=timeout
    )


class Harness:
    """``proclab ARGS`` as a subprocess whose stdout a test reads line by line."""

    def __init__(self, *args: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.proc = subprocess.Popen(
            proclab_cmd(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._q.put(line.rstrip("\n"))
        self._q.put(None)

    def wait_for(self, text: str, timeout: float = 90) -> str:
        """Block until the harness prints a line containing text (or fail with what it printed)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._q.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no line with {text!r} within {timeout}s; output:\n" + "\n".join(self.lines)
                ) from None
            if line is None:
                raise AssertionError(
                    f"the harness ended (exit {self.proc.wait()}) before printing {text!r}; "
                    "output:\n" + "\n".join(self.lines)
                )
            self.lines.append(line)
            if text in line:
                return line

    def finish(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout=timeout)
        while True:
            try:
                line = self._q.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
