"""proclab's private tracefs instances: where tracefs is, whether it can be used, and their removal.

Each container's record lives in two instances under ``instances/`` (``engine/kerneltrace.py``
says why two), named ``proclab-SERIAL-ROLE-PID-START-HOST`` after the harness that made them, so
the sweep of a dead harness's leftovers (and ``proclab clean``) can tell whose they are.
"""
from __future__ import annotations

import itertools
import os
import socket
import subprocess
from pathlib import Path

import psutil

from ..errors import EnvironmentProblem

ROOT_ENV = "PROCLAB_TRACEFS"            # another tracefs root (tests point it at a missing path)
DEFAULT_ROOT = "/sys/kernel/tracing"
PREFIX = "proclab-"
NEEDED = ("sched/sched_process_fork", "sched/sched_process_exec", "sched/sched_process_exit",
          "signal/signal_generate", "signal/signal_deliver")

_serial = itertools.count(1)


class NoTrace(EnvironmentProblem):
    """The kernel's record cannot be kept here; the message says why, in a learner's words."""


def root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def owner_tag() -> str:
    me = psutil.Process()
    return f"{me.pid}-{int(me.create_time())}-{socket.gethostname()[:24]}"


def instance_name(role: str) -> str:
    """A new instance's name: unique in this process, and naming this process."""
    return f"{PREFIX}{next(_serial)}-{role}-{owner_tag()}"


def why_not() -> str | None:
    """Why no record can be kept on this machine (None: it can), before any container exists."""
    where = os.environ.get("DOCKER_HOST", "")
    if where and not where.startswith("unix://"):
        return f"the Docker engine is remote (DOCKER_HOST={where}): its processes are not this machine's"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "proclab is not running as root, and the kernel's tracing (tracefs) needs root"
    base = root()
    if not (base / "instances").is_dir():
        if base != Path(DEFAULT_ROOT) or not _mount(base):
            return f"tracefs is not mounted at {base}"
    missing = [e for e in NEEDED if not (base / "events" / e / "enable").exists()]
    if missing:
        return f"this kernel has no tracepoint {', '.join(missing)}"
    return None


def _mount(base: Path) -> bool:
    try:
        subprocess.run(["mount", "-t", "tracefs", "nodev", str(base)], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return (base / "instances").is_dir()


def write(path: Path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def append(path: Path, text: str) -> None:
    """Add to a list file (set_event_pid) without clearing it: O_APPEND, not O_TRUNC (and not
    Python's "a" mode, which seeks to the end: tracefs files refuse lseek with EINVAL)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


class Instance:
    """One private tracefs instance: its own buffer, clock, events and pid filter."""

    def __init__(self, name: str, buffer_kb: int):
        self.dir = root() / "instances" / name
        self.dir.mkdir()
        self.fd = -1
        self.tail = b""
        write(self.dir / "trace_clock", "mono")           # the same clock as time.monotonic()
        write(self.dir / "buffer_size_kb", str(buffer_kb))
        write(self.dir / "options/record-tgid", "1")       # each line names the process, not only the thread
        write(self.dir / "buffer_percent", "0")            # wake the reader at the first event

    def enable(self, events: tuple[str, ...]) -> None:
        for e in events:
            path = self.dir / "events" / e / "enable"
            if path.exists():
                write(path, "1")

    def open(self) -> None:
        self.fd = os.open(self.dir / "trace_pipe", os.O_RDONLY | os.O_NONBLOCK)

    def lost(self) -> int:
        total = 0
        for stats in (self.dir / "per_cpu").glob("cpu*/stats"):
            try:
                for line in stats.read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key.strip() in ("overrun", "dropped events"):
                        total += int(value.split()[0])
            except (OSError, ValueError, IndexError):
                continue
        return total

    def remove(self) -> None:
        remove_instance(self.dir, self.fd)
        self.fd = -1


def remove_instance(path: Path, fd: int = -1) -> bool:
    """Stop and remove one instance (its events off first: the kernel refuses to remove a busy one)."""
    if fd >= 0:
        try:
            os.close(fd)
        except OSError:
            pass
    for name, text in (("tracing_on", "0"), ("events/enable", "0"), ("set_event_pid", "")):
        try:
            write(path / name, text)
        except OSError:
            pass
    try:
        path.rmdir()
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return False


def instances() -> list[Path]:
    base = root() / "instances"
    try:
        return sorted(p for p in base.iterdir() if p.name.startswith(PREFIX))
    except OSError:
        return []


def _owner_dead(name: str) -> bool:
    """An instance's name ends in its owner's pid, start time and host name: stale if that process is gone."""
    parts = name.split("-", 5)      # proclab, serial, role, pid, start, host
    if len(parts) < 6 or not parts[3].isdigit() or not parts[4].isdigit():
        return False
    if parts[5] != socket.gethostname()[:24]:
        return False                # another machine's harness (a compose service): not ours to judge
    try:
        return int(psutil.Process(int(parts[3])).create_time()) != int(parts[4])
    except psutil.Error:
        return True


def sweep(all_runs: bool = False) -> list[str]:
    """Remove proclab's tracefs instances whose owner is dead (or all of them): what was removed."""
    removed = []
    for path in instances():
        if (all_runs or _owner_dead(path.name)) and remove_instance(path):
            removed.append(f"tracefs instance {path.name}")
    return removed
