"""forkbomb: a fork bomb against the container's pids limit, bounded so it always ends.

The bomb is a tree of "bombers". Each bomber tries FANOUT forks (its children
are bombers too, down to DEPTH generations), then blocks until the scenario
lets go or the DEADLINE passes. Without any limit it would stop by itself at
SEEDS * (FANOUT**(DEPTH+1) - 1) processes; with a pids limit of 64 the kernel
refuses the 65th task long before that: fork() fails with EAGAIN.

    python3 scenario.py [--nproc N]

--nproc N first sets RLIMIT_NPROC (what `ulimit -u N` sets) to N, to show
what that limit does (and does not do) in a container.
"""

import ctypes
import errno
import os
import resource
import select
import signal
import sys
import time

import psutil

from labkit import checkpoint, say, wait_for_the_probe
from labkit.cgroupfs import Cgroup

SEEDS = 8  # bombers the scenario starts itself (it frees these later: room for the probe)
FANOUT = 2  # forks each bomber tries
DEPTH = 4  # generations below a seed
DEADLINE_S = 20.0  # every bomber exits by then, whatever happens
BOUND = SEEDS * (FANOUT ** (DEPTH + 1) - 1)
CGROUP = Cgroup()  # the container's own: pids.max and pids.current, cgroup v1 or v2


def bomber(depth: int, report: int, hold: int, deadline: float) -> None:
    """Try FANOUT forks, report each, then wait for the hold pipe to close. Never returns.

    Reports on the pipe (one byte each, so writes never interleave): "+" *before*
    each fork, "-" if it failed (with "E" for EAGAIN), "D" when this bomber is done.
    "+" comes first so that a child can never be finished before it is counted.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # our children are reaped by the kernel
    if depth < DEPTH:
        for _ in range(FANOUT):
            if time.monotonic() > deadline:
                break
            os.write(report, b"+")
            try:
                pid = os.fork()
            except BlockingIOError as err:  # EAGAIN: the pids cgroup is full
                os.write(report, b"-E" if err.errno == errno.EAGAIN else b"-?")
                break
            except OSError:
                os.write(report, b"-?")
                break
            if pid == 0:
                bomber(depth + 1, report, hold, deadline)
    os.write(report, b"D")  # done forking
    select.select([hold], [], [], max(0.0, deadline - time.monotonic()))
    os._exit(0)


def settle(report: int, seeds: int, deadline: float) -> dict:
    """Read the report pipe until every bomber that exists (or is being forked) is done forking.

    bombers = seeds + "+" - "-" counts every bomber alive or about to be; when it
    equals the "D"s, nobody is forking any more and nobody ever will.
    """
    plus = minus = done = eagain = other = 0
    while done < seeds + plus - minus:
        ready, _, _ = select.select([report], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        for c in os.read(report, 4096).decode():
            plus += c == "+"
            minus += c == "-"
            done += c == "D"
            eagain += c == "E"
            other += c == "?"
    return {
        "bombers": seeds + plus - minus,
        "finished": done,
        "eagain": eagain,
        "other_errors": other,
    }


def my_fork_at_full() -> dict:
    """Try one fork ourselves now that the container is full."""
    try:
        pid = os.fork()
    except OSError as err:
        return {
            "fork_error": type(err).__name__,
            "errno": errno.errorcode.get(err.errno, str(err.errno)),
            "strerror": err.strerror,
        }
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return {"fork_error": None}


def main() -> None:
    if "--nproc" in sys.argv:
        n = int(sys.argv[sys.argv.index("--nproc") + 1])
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    nproc = None if soft == resource.RLIM_INFINITY else soft
    pids_max = CGROUP.pids_max()
    say(
        f"uid {os.getuid()}, RLIMIT_NPROC (ulimit -u) = {nproc or 'unlimited'}, "
        f"pids.max = {pids_max or 'max'}, pids.current = {CGROUP.pids_current()}"
    )
    say(
        f"the bomb: {SEEDS} seeds x {FANOUT} forks each, {DEPTH} generations: at most {BOUND} processes, "
        f"all gone within {DEADLINE_S:.0f} s"
    )
    checkpoint(
        "before",
        uid=os.getuid(),
        nproc_limit=nproc,
        pids_max=pids_max,
        pids_current=CGROUP.pids_current(),
    )
    wait_for_the_probe()

    # Our own orphaned descendants come back to us, so we can wait for all of them.
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    report_r, report_w = os.pipe()
    hold_r, hold_w = os.pipe()
    deadline = time.monotonic() + DEADLINE_S
    # Every seed waits at a gate until all are forked: else the first seed's bomb can fill the
    # pids limit before main forks the next seed, and main's own fork() fails.
    gate_r, gate_w = os.pipe()
    seeds = []
    for _ in range(SEEDS):
        pid = os.fork()
        if pid == 0:
            os.close(report_r)
            os.close(hold_w)
            os.close(gate_w)
            os.read(gate_r, 1)  # EOF once main has forked every seed and closed the gate
            os.close(gate_r)
            bomber(0, report_w, hold_r, deadline)
        seeds.append(pid)
    os.close(gate_r)
    os.close(gate_w)  # open the gate: every seed starts its bomb
    os.close(report_w)
    os.close(hold_r)

    tally = settle(report_r, SEEDS, deadline)
    full = {"pids_current": CGROUP.pids_current(), "psutil_count": len(psutil.pids())}
    mine = my_fork_at_full()
    say(
        f"bomb settled: {tally['bombers']} bombers, {tally['eagain']} forks refused with EAGAIN; "
        f"pids.current = {full['pids_current']} of {pids_max}; my own fork: {mine}"
    )

    # The harness's probe is a process in this container too: make room for it.
    for pid in seeds:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    checkpoint(
        "contained",
        top=True,
        seeds=seeds,
        freed=len(seeds),
        pids_max=pids_max,
        pids_current=CGROUP.pids_current(),
        full=full,
        **tally,
        **mine,
    )

    os.close(hold_w)  # every bomber wakes up and exits
    reaped = 0
    while True:
        try:
            os.wait()
            reaped += 1
        except ChildProcessError:
            break
    say(f"released: reaped {reaped} orphaned bombers; pids.current = {CGROUP.pids_current()}")
    checkpoint("released", reaped=reaped, pids_current=CGROUP.pids_current())


if __name__ == "__main__":
    main()
