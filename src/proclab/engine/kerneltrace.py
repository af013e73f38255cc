"""The kernel's tracepoints for one container, read host-side through tracefs (no BPF, nothing compiled).

Two private tracefs instances per container (``instances/proclab-…``), so runs never share a buffer:

- **tree**: fork, exec, exit, thread creation, signal delivery, ``exit_group``'s code and
  ``wait4``'s return, for the container's processes only: ``set_event_pid`` is seeded with the
  container's init and what it had already started, and ``options/event-fork`` adds each child.
- **host**: ``signal_generate`` and ``oom:mark_victim`` host-wide, because a signal from outside
  (``docker stop``) is generated in the *sender's* context, which a pid filter would drop. The
  reader keeps only those whose target is one of the container's processes.

Host pids are mapped to the container's pids through ``NSpid`` in ``/proc/PID/status``, read by the
reader thread as soon as it sees a new process (a process may be gone by the time anyone asks).
The lines stay raw here (``lab/kernel_trace.py`` parses them; docs/tracing.md says what each means).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import re
import select
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import threads
from . import hostproc, pidns, tracefs
from .tracefs import Instance, NoTrace, append, why_not, write

TREE_EVENTS = (
    "sched/sched_process_fork",
    "sched/sched_process_exec",
    "sched/sched_process_exit",
    "task/task_newtask",
    "signal/signal_deliver",
    "syscalls/sys_enter_exit_group",
    "syscalls/sys_exit_wait4",
)
HOST_EVENTS = ("signal/signal_generate", "oom/mark_victim")
# Only a wait4 that returned a pid is a reap; the rest (WNOHANG polls: multiprocessing's
# Popen.poll, a Manager's threads) were 3 lines in 4 of a Manager lab's record, dropped in the kernel.
TREE_FILTERS = {"syscalls/sys_exit_wait4": "ret > 0"}
TREE_KB, HOST_KB = 4096, 2048  # per-CPU buffers: a burst of 1,000 forks is ~8,000 lines
MAX_LINES = 500_000  # a fork bomb's record is bounded: beyond, lines are counted as lost
LIMBO = 20_000  # host-wide lines whose target was not (yet) known
POLL_MS = 200

# Only what the reader must know at once: a new process (to read its NSpid while it lives) and a
# host-wide line's target (to keep it or not). The full parse is lab/kernel_trace.py's.
_CHILD = re.compile(r"(?:sched_process_fork: .* child_pid=|task_newtask: pid=)(\d+)")
_CURRENT = re.compile(r"^\s*.*?-(\d+)\s+\(\s*(\d+|-+)\)\s+\[")
# Tracers not yet closed: removed at the interpreter's exit even when a lab's thread never reached its
# finally (run --jobs leaves a stuck lab's daemon thread behind after Ctrl-C's grace).
_live: set[Tracer] = set()
_live_lock = threading.Lock()


def close_all() -> None:
    with _live_lock:
        live = list(_live)
    for tracer in live:
        tracer.close()
    tracefs.remove_idle()


atexit.register(close_all)

_TARGET = re.compile(r"(?:signal_generate: .* pid=(\d+) grp=|mark_victim: pid=(\d+))")


@dataclass
class RawTrace:
    """What the tracer kept, for ``lab.kernel_trace.parse``: the lines (both instances, each in its
    own order), host pid -> container pid for each process met, the host pids known to be outside
    the container, the processes already there when the record began, and the events the kernel
    dropped (its buffers' overrun counters; lines past MAX_LINES count too)."""

    lines: list[str] = field(default_factory=list)
    pidmap: dict[int, int] = field(default_factory=dict)
    outside: set[int] = field(default_factory=set)
    comms: dict[int, str] = field(default_factory=dict)  # host pid -> its comm when first met
    tgids: dict[int, int] = field(
        default_factory=dict
    )  # host tid -> its tgid, from /proc when first met
    already_there: list[int] = field(default_factory=list)  # host pids
    init_host_pid: int = 0
    lost: int = 0
    started_mono: float = (
        0.0  # CLOCK_MONOTONIC when the events were enabled (the trace clock is mono)
    )


class Tracer:
    """The kernel's record of one container, from ``start(init_host_pid)`` to ``stop()``.

    ``start`` raises ``NoTrace`` (why, in words) when the record cannot be kept; ``stop`` always
    removes the instances, and so does ``close`` (idempotent, for ``finally``)."""

    def __init__(self) -> None:
        self._tree: Instance | None = None
        self._host: Instance | None = None
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._raw = RawTrace()
        self._known: set[int] = set()  # host pids and tids of the container's processes
        self._unread: set[int] = set()  # senders gone before their NSpid could be read
        self._foreign: set[int] = (
            set()
        )  # host pids the tree's filter let in, of another pid namespace
        self._limbo: deque[str] = deque(maxlen=LIMBO)
        self._ns = ""  # the container's pid namespace (its init's ns/pid link)
        self._depth = 0  # len(NSpid) of the container's init

    # -- start -----------------------------------------------------------------
    def start(self, init_host_pid: int) -> None:
        why = why_not()
        if why:
            raise NoTrace(why)
        nspid = hostproc.nspid(init_host_pid)
        if not nspid:
            raise NoTrace(
                f"the container's init (host pid {init_host_pid}) is not a process this machine "
                "can see: the engine runs in a VM (Docker Desktop) or on another host"
            )
        self._depth = len(nspid)
        self._ns = pidns.ns_of(init_host_pid)
        self._raw.init_host_pid = init_host_pid
        with _live_lock:
            _live.add(self)
        try:
            self._tree = tracefs.take("tree", TREE_KB)
            self._host = tracefs.take("host", HOST_KB)
            write(self._tree.dir / "options/event-fork", "1")
            # The pids, then the events: nothing of theirs missed, nothing else recorded. A pid in
            # the filter has its children added by the kernel (event-fork); one forked before its
            # parent was in the filter is found by looking again until a look finds nothing new.
            there: list[int] = []
            new = pidns.descendants(init_host_pid)
            while new:
                append(self._tree.dir / "set_event_pid", " ".join(str(p) for p in new))
                there += new
                new = [p for p in pidns.descendants(init_host_pid) if p not in set(there)]
            for pid in there:
                self._learn(pid)
            self._raw.already_there = [p for p in there if self._tgid(p) == p]
            self._tree.open()
            self._host.open()
            self._raw.started_mono = time.monotonic()
            self._tree.enable(TREE_EVENTS, TREE_FILTERS)
            self._host.enable(HOST_EVENTS)
            # a last look: one forked after the looks, before the events were on, has no fork line
            late = [p for p in pidns.descendants(init_host_pid) if p not in set(there)]
            if late:
                append(self._tree.dir / "set_event_pid", " ".join(str(p) for p in late))
                for pid in late:
                    self._learn(pid)
                self._raw.already_there += [p for p in late if self._tgid(p) == p]
            # and their names once more: one that exec'd between its first look and the events
            # being on has no exec line, and kept the name it had before (the doctor starts the
            # record as the container starts: python3 was once named "sh", its shell's, to the end)
            for pid in there:
                comm = hostproc.read(pid, "comm")
                if comm:
                    self._raw.comms[pid] = comm.strip()
            self._wake_r, self._wake_w = os.pipe()
            self._thread = threading.Thread(
                target=self._read,
                args=(self._tree, self._host, self._wake_r),
                daemon=True,
                name="proclab tracefs reader",
            )
            threads.start(self._thread)
        except OSError as err:
            self.close()
            raise NoTrace(f"tracefs refused a private instance ({err.strerror or err})") from err
        except BaseException:  # Ctrl-C while starting: leave nothing behind
            self.close()
            raise

    # -- what was kept ---------------------------------------------------------
    def so_far(self) -> RawTrace:
        """A copy of what the reader has kept until now (the run goes on)."""
        with self._lock:
            return self._copy()

    def freeze(self) -> None:
        """Record nothing more; the buffers stay for stop() (slower: the doctor removes meanwhile)."""
        for inst in (i for i in (self._tree, self._host) if i is not None):
            with contextlib.suppress(OSError):
                write(inst.dir / "tracing_on", "0")

    def stop(self) -> RawTrace:
        """Stop recording, read what is left, remove the instances; what was kept."""
        try:
            self.freeze()
            self._stop.set()
            if self._wake_w >= 0:
                os.write(self._wake_w, b"x")
            if self._thread is not None:
                self._thread.join(5.0)
            with self._lock:
                self._raw.lost += sum(
                    inst.lost() for inst in (self._tree, self._host) if inst is not None
                )
                self._raw.lines.extend(ln for ln in self._limbo if self._target_known(ln))
                self._limbo.clear()
                return self._copy()
        finally:
            self.close()

    def close(self) -> None:
        """Give the instances back for this process's next run (idempotent: for ``finally`` and
        Ctrl-C); a reader that does not end in time leaves them to be removed instead."""
        self._stop.set()
        with _live_lock:
            _live.discard(self)
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")
        reader_gone = True
        if self._thread is not None and self._thread is not threading.current_thread():
            try:
                self._thread.join(1.0)
                reader_gone = not self._thread.is_alive()
            except RuntimeError:  # a Ctrl-C inside its start(): it may begin yet, find _stop set
                reader_gone = False
        for inst in (i for i in (self._tree, self._host) if i is not None):
            if reader_gone:
                tracefs.give_back(inst)
            else:
                inst.remove()
        self._tree = self._host = None
        for fd in (f for f in (self._wake_r, self._wake_w) if f >= 0):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1

    def _copy(self) -> RawTrace:
        r = self._raw
        # a sender never read and never in the tree (runc, for docker stop) was outside; a process
        # docker exec'd into the container that ended as fast would be counted outside too
        outside = r.outside | (self._unread - self._known)
        return RawTrace(
            list(r.lines),
            dict(r.pidmap),
            outside,
            dict(r.comms),
            dict(r.tgids),
            list(r.already_there),
            r.init_host_pid,
            r.lost,
            r.started_mono,
        )

    # -- the reader thread -----------------------------------------------------
    def _read(self, tree: Instance, host: Instance, wake_r: int) -> None:
        if self._stop.is_set():  # closed before it began (a Ctrl-C inside start): its fds are gone
            return
        poller = select.poll()
        for fd in (tree.fd, host.fd, wake_r):
            poller.register(fd, select.POLLIN)
        while True:
            stopping = self._stop.is_set()
            if not stopping:
                poller.poll(POLL_MS)
            got = self._drain(tree, self._tree_line) + self._drain(host, self._host_line)
            if stopping and not got:
                return

    def _drain(self, inst: Instance, take: Callable[[str], None]) -> int:
        n = 0
        while inst.fd >= 0:
            try:
                chunk = os.read(inst.fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError as err:
                if err.errno == errno.EINTR:
                    continue
                break
            if not chunk:
                break
            n += len(chunk)
            *lines, inst.tail = (inst.tail + chunk).split(b"\n")
            with self._lock:
                for line in lines:
                    take(line.decode(errors="replace"))
        return n

    def _keep(self, line: str) -> None:
        if len(self._raw.lines) < MAX_LINES:
            self._raw.lines.append(line)
        else:
            self._raw.lost += 1

    def _tree_line(self, line: str) -> None:
        if not line.strip():
            return
        current = _CURRENT.match(line)
        if current and self._is_foreign(int(current.group(1))):
            return
        child = _CHILD.search(line)
        if child:
            self._learn(int(child.group(1)))
        self._keep(line)

    def _is_foreign(self, pid: int) -> bool:
        """A task of another container (a sibling pid namespace), not ours: the pid filter keeps a
        host pid that exited before the kernel could drop it, and the engine may give that pid to
        another container's process. Seen under load: a neighbour's init reaping its own zombies
        showed up as ours. A nested namespace of ours has a longer NSpid and is kept."""
        if pid in self._raw.pidmap:
            return False
        if pid in self._foreign:
            return True
        if pidns.sibling(pid, self._ns, self._depth):
            self._foreign.add(pid)
            return True
        return False

    def _host_line(self, line: str) -> None:
        if not line.strip() or "[LOST" in line:
            if "[LOST" in line:
                self._keep(line)
            return
        if self._target_known(line):
            self._sender(line)
            self._keep(line)
        else:
            self._limbo.append(
                line
            )  # its target's fork may still be on its way in the other instance

    def _target_known(self, line: str) -> bool:
        m = _TARGET.search(line)
        return m is not None and int(m.group(1) or m.group(2)) in self._known

    def _sender(self, line: str) -> None:
        """Read whether the sender is in the container while it lives (docker stop's sender is not)."""
        m = _CURRENT.match(line)
        if not m:
            return
        # The task's own pid, as the kernel recorded it. The (TGID) column beside it is a cache
        # filled in later, and it can be stale for a reused pid: tini's SIGTERM to its child once
        # showed an old thread's tgid there, and tini came out as an outsider named "<...>".
        tid = int(m.group(1))
        if tid in self._known or tid in self._raw.tgids or tid in self._unread:
            return
        tgid = self._tgid(tid)
        self._raw.tgids[tid] = tgid  # gone already: itself (the column is no better a guess)
        if tgid not in self._raw.pidmap and tgid not in self._raw.outside:
            self._learn(tgid, follow=False)

    def _learn(self, pid: int, follow: bool = True) -> None:
        """Map a host pid (or tid) to the container's pid from its NSpid, while it lives.
        ``follow``: a process of the tree (its fork line); else a signal's sender."""
        if follow:
            if self._is_foreign(pid):
                return
            self._known.add(pid)
            if pid in self._raw.pidmap:
                return
            self._raw.outside.discard(
                pid
            )  # a host pid an outside process had, reused in the container
        elif pid in self._raw.pidmap or pid in self._raw.outside or pid in self._unread:
            return
        nspid = hostproc.nspid(pid)
        if (
            nspid
        ):  # /proc's word, not the trace's tgid column (a cache that can be stale for a reused pid)
            self._raw.tgids[pid] = self._tgid(pid)
        comm = hostproc.read(pid, "comm")
        if comm:  # the trace's own comm column is a cache that may say "<...>"
            self._raw.comms[pid] = comm.strip()
        # a process the tree follows is the container's (a nested namespace's too); a sender must share its ns
        inside = (
            nspid is not None
            and len(nspid) >= max(self._depth, 1)
            and (follow or not self._ns or pidns.ns_of(pid) in ("", self._ns))
        )
        if nspid and inside:
            self._raw.pidmap[pid] = nspid[self._depth - 1]
        elif nspid and not follow:
            self._raw.outside.add(pid)
        elif not follow:
            # a sender gone before it could be read: decided when the record is read (_copy), since the
            # tree's line of its fork may still be on its way
            self._unread.add(pid)

    def _tgid(self, pid: int) -> int:
        status = hostproc.read(pid, "status") or ""
        for line in status.splitlines():
            if line.startswith("Tgid:"):
                return int(line.split()[1])
        return pid
