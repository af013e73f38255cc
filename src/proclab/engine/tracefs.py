"""proclab's private tracefs instances: where tracefs is, whether it can be used, and their removal.

Each container's record lives in two instances under ``instances/`` (``engine/kerneltrace.py``
says why two), named ``proclab-SERIAL-ROLE-PID-START-HOST`` after the harness that made them, so
the sweep of a dead harness's leftovers (and ``proclab clean``) can tell whose they are.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import subprocess
import threading
from pathlib import Path

from .. import threads
from ..errors import EnvironmentProblem
from . import hostproc

ROOT_ENV = "PROCLAB_TRACEFS"  # another tracefs root (tests point it at a missing path)
DEFAULT_ROOT = "/sys/kernel/tracing"
PREFIX = "proclab-"
NEEDED = (
    "sched/sched_process_fork",
    "sched/sched_process_exec",
    "sched/sched_process_exit",
    "signal/signal_generate",
    "signal/signal_deliver",
)

_serial = itertools.count(1)


class NoTrace(EnvironmentProblem):
    """The kernel's record cannot be kept here; the message says why, in a learner's words."""


def root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def owner_tag() -> str:
    """pid-start-host of this process; its start in clock ticks since boot, which never moves (a
    start in wall-clock seconds does when the clock is set: hostproc.start_ticks)."""
    me = os.getpid()
    return f"{me}-{hostproc.start_ticks(me, hostproc.OWN_PROC)}-{socket.gethostname()[:24]}"


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
        subprocess.run(
            ["mount", "-t", "tracefs", "nodev", str(base)], capture_output=True, timeout=10
        )
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

    def __init__(self, role: str, buffer_kb: int):
        self.role = role
        self.dir = root() / "instances" / instance_name(role)
        self.dir.mkdir()
        self.fd = -1
        self.tail = b""
        # the overrun counters when this use began (a reused instance keeps them)
        self.lost_before = 0
        self.filtered: set[str] = set()  # events whose filter is set (it stays across uses)
        write(self.dir / "trace_clock", "mono")  # the same clock as time.monotonic()
        write(self.dir / "buffer_size_kb", str(buffer_kb))
        write(
            self.dir / "options/record-tgid", "1"
        )  # each line names the process, not only the thread
        write(self.dir / "buffer_percent", "0")  # wake the reader at the first event

    def enable(self, events: tuple[str, ...], filters: dict[str, str] | None = None) -> None:
        """Turn the events on; ``filters`` (event -> a tracefs filter expression) are set once
        per instance, before, so the kernel drops what nobody reads."""
        for e, expr in (filters or {}).items():
            if e not in self.filtered and (self.dir / "events" / e / "filter").exists():
                write(self.dir / "events" / e / "filter", expr)
                self.filtered.add(e)
        for e in events:
            path = self.dir / "events" / e / "enable"
            if path.exists():
                write(path, "1")

    def open(self) -> None:
        if self.fd < 0:
            self.fd = os.open(self.dir / "trace_pipe", os.O_RDONLY | os.O_NONBLOCK)

    def lost(self) -> int:
        """Events the kernel dropped in this use."""
        return self._counters() - self.lost_before

    def rest(self) -> None:
        """Record nothing, follow no pid, and read what is left, so the next use starts empty.
        (Emptying the buffer by truncating ``trace`` costs ~50 ms; reading trace_pipe consumes.)"""
        for name, text in (("tracing_on", "0"), ("events/enable", "0"), ("set_event_pid", "")):
            write(self.dir / name, text)
        while self.fd >= 0:
            try:
                if not os.read(self.fd, 1 << 16):
                    break
            except BlockingIOError:
                break
        self.tail = b""

    def wake(self) -> None:
        """Begin a new use: record again, counting lost events from now."""
        self.lost_before = self._counters()
        write(self.dir / "tracing_on", "1")

    def _counters(self) -> int:
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


# Making an instance costs ~25 ms and removing one ~35 ms (the kernel builds and frees a directory
# of every event); a run's two did so at every run, +22% on run --all. A process keeps its rested
# instances for its next run; they carry its pid in their names, so a dead owner's are swept.
# Resting costs ~40 ms too (emptying set_event_pid waits for the kernel's RCU grace period), so it
# is done in the background: the next run's go comes after its container's start, ~0.2 s later.
IDLE_MAX = 4  # per role: run --jobs N holds N of each at once
_idle: dict[str, list[Instance]] = {}
_resting: set[threading.Thread] = set()
_idle_lock = threading.Lock()


def take(role: str, buffer_kb: int) -> Instance:
    """An instance for one use: a rested one of this process's, else a new one."""
    with _idle_lock:
        kept = _idle.get(role)
        inst = kept.pop() if kept else None
    if inst is None:
        return Instance(role, buffer_kb)
    try:
        inst.wake()
    except OSError:
        inst.remove()
        return Instance(role, buffer_kb)
    return inst


def give_back(inst: Instance) -> None:
    """Rest an instance, in the background, for this process's next run (or remove it, when
    enough are kept)."""
    rest = threading.Thread(target=_rest_and_keep, args=(inst,), daemon=True, name="tracefs rest")
    with _idle_lock:
        _resting.add(rest)
    threads.start(rest)


def _rest_and_keep(inst: Instance) -> None:
    try:
        try:
            inst.rest()
        except OSError:
            inst.remove()
            return
        with _idle_lock:
            kept = _idle.setdefault(inst.role, [])
            if len(kept) < IDLE_MAX:
                kept.append(inst)
                return
        inst.remove()
    finally:
        with _idle_lock:
            _resting.discard(threading.current_thread())


def wait_rested(timeout_s: float = 5.0) -> None:
    """Until the instances given back so far are rested (or removed)."""
    with _idle_lock:
        resting = list(_resting)
    for rest in resting:
        rest.join(timeout_s)


def remove_idle() -> None:
    """Remove the rested instances, once those resting are done (at exit: nothing of proclab's
    outlives its process)."""
    wait_rested()
    with _idle_lock:
        idle = [i for kept in _idle.values() for i in kept]
        _idle.clear()
    for inst in idle:
        with contextlib.suppress(OSError):
            inst.remove()


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
    parts = name.split("-", 5)  # proclab, serial, role, pid, start, host
    if len(parts) < 6 or not parts[3].isdigit() or not parts[4].isdigit():
        return False
    if parts[5] != socket.gethostname()[:24]:
        return False  # another machine's harness (a compose service): not ours to judge
    return hostproc.living_start_ticks(int(parts[3]), hostproc.OWN_PROC) != int(parts[4])


def sweep(all_runs: bool = False) -> list[str]:
    """Remove proclab's tracefs instances whose owner is dead (or all of them): what was removed."""
    removed = []
    for path in instances():
        if (all_runs or _owner_dead(path.name)) and remove_instance(path):
            removed.append(f"tracefs instance {path.name}")
    return removed
