"""One job of the terminals lab, started by bash in the pseudo-terminal: `python3 job.py ROLE`.

It reports who it is (pid, pgid, sid, tty, from /proc/self/stat) on the report FIFO, then
waits; on SIGUSR1 (the scenario's roll call) it reports again: "still alive".
"""

import json
import multiprocessing
import os
import select
import signal
import sys

REPORT = "/tmp/terminals/report"


def me(role: str, event: str) -> dict:
    with open("/proc/self/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    with open("/proc/self/status") as f:
        sigign = int(next(ln for ln in f if ln.startswith("SigIgn:")).split()[1], 16)
    fds = {
        fd: os.readlink(f"/proc/self/fd/{fd}")
        for fd in os.listdir("/proc/self/fd")
        if os.path.exists(f"/proc/self/fd/{fd}")
    }
    return {
        "role": role,
        "event": event,
        "pid": os.getpid(),
        "ppid": int(rest[1]),
        "pgid": int(rest[2]),
        "sid": int(rest[3]),
        "tty_nr": int(rest[4]),
        "tpgid": int(rest[5]),
        "cwd": os.getcwd(),
        "fds": fds,
        "sighup_ignored": bool(sigign & 1),
        "py_daemon": multiprocessing.current_process().daemon,
    }


def report(role: str, event: str) -> None:
    line = json.dumps(me(role, event)) + "\n"  # measured before the FIFO is opened
    fd = os.open(REPORT, os.O_WRONLY)
    os.write(fd, line.encode())  # one write under PIPE_BUF: never interleaved
    os.close(fd)


def wait_for_roll_call(role: str) -> None:
    signal.signal(signal.SIGUSR1, lambda *_: report(role, "alive"))
    report(role, "started")
    while True:
        signal.pause()


def unix_daemon() -> None:
    """The classic recipe (Stevens): fork, setsid, fork, chdir /, umask 0, close every fd."""
    if os.fork() > 0:
        os._exit(0)  # the shell's command returns at once
    os.setsid()  # a new session: no controlling terminal
    first = os.getpid()
    if os.fork() > 0:
        os._exit(0)  # not a session leader: can never get a terminal again
    try:  # report once the first child is gone, so that
        gone = os.pidfd_open(first)  # ppid is certainly the reaper's (no sleep)
    except ProcessLookupError:
        pass
    else:
        select.select([gone], [], [])
        os.close(gone)
    os.chdir("/")
    os.umask(0)
    os.closerange(0, 1024)
    null = os.open("/dev/null", os.O_RDWR)  # fd 0
    os.dup2(null, 1), os.dup2(null, 2)
    wait_for_roll_call("daemon")


def python_daemon() -> None:
    wait_for_roll_call("py-daemon")


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "daemon":
        unix_daemon()
    if role == "fg":
        child = multiprocessing.get_context("fork").Process(target=python_daemon, daemon=True)
        child.start()  # Python's daemon=True: not a Unix daemon
    wait_for_roll_call(role)
