"""Snapshot the container's process table in three views, then release a checkpoint.

Run by the harness with ``docker exec``: ``python3 -m labkit.probe [--top] [--release FIFO]``.
Prints one JSON document. The probe and its ps/top children are in the table
too (exec'd processes have ppid 0); their pids are listed in ``probe_pids``.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import subprocess
import sys
import time

import psutil

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


def process_rows() -> list[dict]:
    rows = []
    for p in psutil.process_iter():
        try:
            with p.oneshot():
                status = p.status()
                times = p.cpu_times()
                try:
                    cmdline = p.cmdline()
                except psutil.ZombieProcess:
                    cmdline = []
                try:
                    user = p.username()
                except (KeyError, psutil.Error):
                    user = str(p.uids().real)
                rows.append({
                    "pid": p.pid,
                    "ppid": p.ppid(),
                    "state": STATE_LETTERS.get(status, "?"),
                    "status": status,
                    "nice": p.nice(),
                    "name": p.name(),
                    "cmdline": cmdline,
                    "cpu_user_s": times.user,
                    "cpu_system_s": times.system,
                    "create_time": p.create_time(),
                    "threads": p.num_threads(),
                    "user": user,
                })
        except psutil.NoSuchProcess:
            continue
    return rows


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="labkit.probe")
    ap.add_argument("--top", action="store_true", help="also take top -b -n 1 (~150 ms)")
    ap.add_argument("--release", metavar="FIFO", help="release this checkpoint after the snapshot")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    env = dict(os.environ, COLUMNS="512", LC_ALL="C")
    top_proc = subprocess.Popen(TOP_CMD, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env) if args.top else None
    t_ps = time.perf_counter()
    ps = subprocess.run(PS_CMD, capture_output=True, text=True, env=env)
    ps_ms = (time.perf_counter() - t_ps) * 1000
    t_psutil = time.perf_counter()
    rows = process_rows()
    psutil_ms = (time.perf_counter() - t_psutil) * 1000
    top_text = None
    if top_proc is not None:
        top_text, _ = top_proc.communicate()
    views_ms = (time.perf_counter() - t0) * 1000

    me = os.getpid()
    probe_pids = {me} | ({top_proc.pid} if top_proc else set())
    for row in rows:
        if row["ppid"] == me:
            probe_pids.add(row["pid"])
    # ps has exited by now: find its pid from its own output line.
    for line in ps.stdout.splitlines()[1:]:
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[1] == str(me):
            probe_pids.add(int(parts[0]))

    doc = {
        "t": time.time(),
        "probe_pid": me,
        "probe_pids": sorted(probe_pids),
        "processes": rows,
        "ps": ps.stdout + (ps.stderr or ""),
        "top": top_text,
        "timings_ms": {"views": views_ms, "psutil": psutil_ms, "ps": ps_ms},
    }
    # Print first, release last: once released, the scenario may end, and
    # the kernel then kills everything left in its pid namespace, us included.
    sys.stdout.write(json.dumps(doc))
    sys.stdout.flush()
    if args.release:
        release(args.release)
    return 0


if __name__ == "__main__":
    sys.exit(main())
