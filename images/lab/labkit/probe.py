"""Snapshot the container's process table in three views, then release a checkpoint.

Run by the harness with ``docker exec``: ``python3 -m labkit.probe [--top] [--release FIFO]``
(the exec path), printing one JSON document; or kept running as ``labkit.resident``,
which calls ``take`` on each command (the fast path). The probe and its ps/top children are in the table
too (exec'd processes have ppid 0); their pids are listed in ``probe_pids``, with
those a learner's ``proclab run --step`` shell started (marked PROCLAB_SHELL=1).
"""

from __future__ import annotations

import argparse
import errno
import functools
import json
import os
import pwd
import subprocess
import sys
import time

import psutil

from . import kernel_state

SHELL_MARK = b"PROCLAB_SHELL=1"


def shell_pids(rows: list, known: set) -> set:
    """Processes a learner's shell started: its environment carries the mark, even once reparented."""
    found = set()
    for row in rows:
        pid = row["pid"]
        if pid == 1 or pid in known:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if SHELL_MARK in f.read().split(b"\0"):
                    found.add(pid)
        except OSError:  # gone, a zombie, or another user's: not the learner's shell
            pass
    return found


PS_CMD = ["ps", "-eo", "pid,ppid,stat,ni,comm:20,args"]
TOP_CMD = ["top", "-b", "-n", "1", "-w", "512"]

STATE_LETTERS = {
    psutil.STATUS_RUNNING: "R",
    psutil.STATUS_SLEEPING: "S",
    psutil.STATUS_DISK_SLEEP: "D",
    psutil.STATUS_STOPPED: "T",
    psutil.STATUS_TRACING_STOP: "t",
    psutil.STATUS_ZOMBIE: "Z",
    psutil.STATUS_DEAD: "X",
    getattr(psutil, "STATUS_IDLE", "idle"): "I",
    getattr(psutil, "STATUS_PARKED", "parked"): "P",
}


@functools.lru_cache(maxsize=64)
def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def process_rows() -> tuple[list[dict], float]:
    """The psutil view, and its spread: ms between reading the first process's state and the last's.

    Two passes. The first reads, for every process, what one read of /proc/PID/stat gives (state,
    parent, CPU times, name: psutil's oneshot), so the states are as close to one instant as the
    kernel lets us: a /proc read costs ~20-35 us on the lab host, and the second pass's reads per
    process would multiply the spread. The second pass reads what a living process rarely changes
    (command line, and user and threads from /proc/PID/status; nice is a syscall).
    """
    volatile = []
    t_first = t_last = 0.0
    for p in psutil.process_iter():
        try:
            with p.oneshot():
                t_first = t_first or time.perf_counter()
                status = p.status()
                times = p.cpu_times()
                volatile.append(
                    (
                        p,
                        {
                            "pid": p.pid,
                            "ppid": p.ppid(),
                            "state": STATE_LETTERS.get(status, "?"),
                            "status": status,
                            "cpu_user_s": times.user,
                            "cpu_system_s": times.system,
                            "create_time": p.create_time(),
                            "name": p.name(),
                        },
                    )
                )
                t_last = time.perf_counter()
        except psutil.NoSuchProcess:
            continue
    rows = []
    for p, row in volatile:
        try:
            with p.oneshot():
                try:
                    cmdline = p.cmdline()
                except psutil.ZombieProcess:
                    cmdline = []
                rows.append(
                    {
                        **row,
                        "nice": p.nice(),
                        "cmdline": cmdline,
                        "threads": p.num_threads(),
                        "user": _user_name(p.uids().real),
                    }
                )
        except (
            psutil.NoSuchProcess
        ):  # gone (reaped) between the passes: left out, as if read a moment later
            continue
    return rows, (t_last - t_first) * 1000


def release(fifo: str) -> bool:
    """Open the checkpoint's FIFO for writing: that wakes the waiting scenario."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as err:
        if err.errno in (errno.ENXIO, errno.ENOENT):
            return False  # nobody waits there any more
        raise
    try:
        os.write(fd, b"go\n")
    finally:
        os.close(fd)
    return True


def wait_held(held: str, timeout: float = 2.0) -> None:
    """Return once the announcing thread (``PID/TID``) is off the CPU: asleep in its checkpoint.

    The scenario writes its announcement and then goes to sleep in poll(); a fast probe can
    read the line in between, and would then see the announcer R where a moment later it is S
    (psutil and top disagreeing). No event says "went to sleep", so this looks at the kernel's
    state every 0.5 ms, with a deadline; almost always the first look finds it asleep.
    """
    pid, _, tid = held.partition("/")
    deadline = time.monotonic() + timeout
    while kernel_state(int(pid), int(tid or 0)) == "R" and time.monotonic() <= deadline:
        time.sleep(0.0005)  # "gone" or any sleeping/stopped state: nothing to wait for


def take(top: bool, held: str = "", shells: bool = False) -> dict:
    """One snapshot: ps, then top (if asked) and the psutil rows while it samples.

    So a checkpoint costs ps (~6 ms) and top's floor (~150 ms: it samples before its
    first frame), not the sum of all three. The probe's own processes are listed in ``probe_pids``;
    with ``shells`` (a learner's shell was opened in this container) so are the shell's.
    """
    if held:
        wait_held(held)
    t0 = time.perf_counter()
    env = dict(os.environ, COLUMNS="512", LC_ALL="C")
    # With top, ps runs to its end and is reaped *before* top starts: a ps that had exited but
    # was not yet reaped would be a zombie in top's "Tasks: ... zombie" count, which the zombies
    # and pid1 labs check (the soak saw it under load: ps and top side by side). psutil then
    # reads while top samples. Without top, psutil reads while ps runs (ps is the probe's, out
    # of every check either way).
    t_ps = time.perf_counter()
    ps_proc = subprocess.Popen(
        PS_CMD, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    top_proc = None
    if top:
        ps_out, ps_err = ps_proc.communicate()
        ps_ms = (time.perf_counter() - t_ps) * 1000
        top_proc = subprocess.Popen(
            TOP_CMD, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
    t_psutil = time.perf_counter()
    rows, spread_ms = process_rows()
    psutil_ms = (time.perf_counter() - t_psutil) * 1000
    if top_proc is None:
        ps_out, ps_err = ps_proc.communicate()
        ps_ms = (time.perf_counter() - t_ps) * 1000
    top_text = top_proc.communicate()[0] if top_proc is not None else None
    views_ms = (time.perf_counter() - t0) * 1000

    me = os.getpid()
    probe_pids = {me, ps_proc.pid} | ({top_proc.pid} if top_proc else set())
    probe_pids |= {row["pid"] for row in rows if row["ppid"] == me}
    if shells:  # one more read per process (its environment): only once a shell can have left any
        probe_pids |= shell_pids(rows, probe_pids)
    return {
        "t": time.time(),
        "probe_pid": me,
        "probe_pids": sorted(probe_pids),
        "processes": rows,
        "ps": ps_out + (ps_err or ""),
        "top": top_text,
        "spread_ms": spread_ms,
        "timings_ms": {"views": views_ms, "psutil": psutil_ms, "ps": ps_ms},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="labkit.probe")
    ap.add_argument("--top", action="store_true", help="also take top -b -n 1 (~150 ms)")
    ap.add_argument("--release", metavar="FIFO", help="release this checkpoint after the snapshot")
    ap.add_argument(
        "--held", metavar="PID/TID", default="", help="first wait until this announcer sleeps"
    )
    ap.add_argument(
        "--shells", action="store_true", help="also mark what a learner's shell started"
    )
    args = ap.parse_args(argv)
    doc = take(args.top, args.held, args.shells)
    # Print first, release last: once released, the scenario may end, and
    # the kernel then kills everything left in its pid namespace, us included.
    sys.stdout.write(json.dumps(doc))
    sys.stdout.flush()
    if args.release:
        release(args.release)
    return 0


if __name__ == "__main__":
    sys.exit(main())
