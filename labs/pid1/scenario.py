"""pid1: who reaps orphans in a container, and who hears `docker stop`.

`reap`  A launcher child makes orphans the classic way (double fork): it forks
        a middle process, the middle process forks the orphan-to-be and exits,
        and the launcher reaps the middle process. The orphan is adopted by the
        container's pid 1 and exits at once. Is anybody there to reap it?
        Without an init, pid 1 is this scenario, and it never waits.
`wait`  pid 1 (or tini's child) waits at a checkpoint; the harness stops or
        kills the container there. `--handler` installs a SIGTERM handler first.
"""

import os
import signal
import sys
import time

import psutil

from labkit import checkpoint, say

ORPHANS = 3


def caught_signals() -> dict:
    """What the kernel says this process catches: /proc/self/status SigCgt, decoded."""
    with open("/proc/self/status") as f:
        line = next(ln for ln in f if ln.startswith("SigCgt:"))
    mask = int(line.split()[1], 16)
    return {
        "sigcgt": line.strip(),
        "catches_sigint": bool(mask & (1 << (signal.SIGINT - 1))),
        "catches_sigterm": bool(mask & (1 << (signal.SIGTERM - 1))),
    }


def launcher(go_r: int, report_w: int) -> None:
    """The launcher (a child of the scenario): one orphan per byte it reads, then a long sleep."""
    while os.read(go_r, 1) == b"o":
        relay_r, relay_w = os.pipe()
        middle = os.fork()
        if middle == 0:
            orphan = os.fork()
            if orphan == 0:
                os._exit(0)  # the orphan-to-be ends at once
            os.write(relay_w, f"{orphan}\n".encode())
            os._exit(0)  # the middle process exits: its child is orphaned
        orphan = int(os.read(relay_r, 32))
        os.waitpid(middle, 0)  # the launcher is a good parent: it reaps the middle
        os.close(relay_r), os.close(relay_w)
        # The kernel re-parented the orphan when the middle process exited,
        # before waitpid() could return: from now on its parent is pid 1.
        os.write(report_w, f"{orphan}\n".encode())
    os.write(report_w, b"0\n")  # no more orphans: I now run for an hour
    time.sleep(3600)
    os._exit(0)


def gone(pid: int, timeout: float = 10.0) -> None:
    """Block until `pid` has been reaped by somebody else (tini).

    Only a parent can wait() for a process; anyone else can only look until
    the kernel no longer knows the pid (psutil polls kill(pid, 0) for that).
    """
    try:
        psutil.Process(pid).wait(timeout=timeout)
    except psutil.NoSuchProcess:
        pass


def reap_scenario() -> None:
    me = os.getpid()
    say(
        f"scenario: I am pid {me}"
        + (
            " — pid 1 of this container, and I never call wait()"
            if me == 1
            else f"; pid 1 is {psutil.Process(1).name()}"
        )
    )
    go_r, go_w = os.pipe()
    report_r, report_w = os.pipe()
    w = os.fork()
    if w == 0:
        os.close(go_w), os.close(report_r)
        launcher(go_r, report_w)
    os.close(go_r), os.close(report_w)
    report = os.fdopen(report_r)
    for i in range(1, ORPHANS + 1):
        os.write(go_w, b"o")
        orphan = int(report.readline())
        if me == 1:
            # The orphan is my child now. Block until it has exited, WITHOUT
            # reaping it (WNOWAIT): I only look, as the kernel allows a parent to.
            os.waitid(os.P_PID, orphan, os.WEXITED | os.WNOWAIT)
            say(f"orphan {orphan} (adopted by me, pid 1) has exited; nobody reaps it")
        else:
            gone(orphan)
            say(
                f"orphan {orphan} was adopted by pid 1 ({psutil.Process(1).name()}), which reaped it"
            )
        checkpoint(
            f"orphan-{i}",
            top=True,
            scenario=me,
            launcher=w,
            orphan=orphan,
            so_far=f"{i} of {ORPHANS}",
        )

    if me == 1:
        checkpoint("exec", scenario=me)  # the harness runs `docker exec` here (lab.toml)
        mine = sorted(c.pid for c in psutil.Process().children())
        strangers = [
            pid for pid in mine if pid != w and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        ]
        say(f"my children now: {mine}; alive and not forked by me: {strangers}")
        checkpoint("exec-orphan", scenario=me, launcher=w, children=mine, strangers=strangers)

    os.write(go_w, b"q")  # the launcher stops making orphans...
    assert report.readline().strip() == "0"  # ...and says it now sleeps for an hour
    checkpoint("last-words", scenario=me, launcher=w)
    say(f"scenario (pid {me}) returns now; the launcher {w} still has an hour to go")


def wait_scenario(handler: bool) -> None:
    me = os.getpid()
    if handler:

        def on_term(signum, frame):
            say(f"pid {me}: SIGTERM received: closing up and exiting with 0")
            sys.exit(0)

        signal.signal(signal.SIGTERM, on_term)
    caught = caught_signals()
    say(f"scenario is pid {me}; pid 1 is {psutil.Process(1).name()}; {caught['sigcgt']}")
    checkpoint("ready", scenario=me, pid1=psutil.Process(1).name(), **caught)
    say("released without being stopped: this should not happen in this lab")
    sys.exit(99)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "reap"
    if mode == "reap":
        reap_scenario()
    else:
        wait_scenario(handler="--handler" in sys.argv)
