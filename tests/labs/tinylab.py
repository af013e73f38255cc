"""Helpers for tests that need a small lab of their own and a harness they can kill.

``write_lab`` makes a lab folder in a temp dir with a unique name (so its
containers can be found by their ``proclab.lab`` label and nobody else's are
touched). ``Harness`` runs ``proclab`` as a subprocess and lets a test wait
for a line of its narration, with a deadline.
"""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

from proclab import engine


def write_lab(root: Path, stem: str, scenario: str, toml: str = "", checks: str | None = None) -> Path:
    path = root / f"{stem}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True)
    (path / "scenario.py").write_text(textwrap.dedent(scenario))
    if toml:
        (path / "lab.toml").write_text(textwrap.dedent(toml))
    if checks is not None:
        (path / "checks.py").write_text(textwrap.dedent(checks))
    return path


def containers_of(lab: str) -> list:
    """Every container (any state) of the lab with this name: found by label only."""
    # ignore_removed: a container the harness removes between the list and its inspect is gone, not an error
    return engine.client().containers.list(
        all=True, filters={"label": [engine.LABEL, f"{engine.LAB_LABEL}={lab}"]}, ignore_removed=True)


def proclab_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "proclab.cli", *args]


def run_proclab(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(proclab_cmd(*args), capture_output=True, text=True, env=full_env, timeout=timeout)


class Harness:
    """``proclab ARGS`` as a subprocess whose stdout a test reads line by line."""

    def __init__(self, *args: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.proc = subprocess.Popen(proclab_cmd(*args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=env, start_new_session=True)
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
                raise AssertionError(f"no line with {text!r} within {timeout}s; output:\n" + "\n".join(self.lines))
            if line is None:
                raise AssertionError(f"the harness ended (exit {self.proc.wait()}) before printing {text!r}; "
                                     "output:\n" + "\n".join(self.lines))
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
