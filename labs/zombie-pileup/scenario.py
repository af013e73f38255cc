"""zombie-pileup: zombies pile up until fork() fails; the parent's death frees them all.

A neglectful parent forks children that exit at once and never waits for any of
them. Each zombie keeps its pid, and the container's pids cgroup counts it, so
after a few dozen forks the kernel refuses the next one with EAGAIN. Then the
parent dies: its zombies are re-parented to pid 1 (tini, init = true), which
reaps them all at once.

The harness's probe is a process in the container too, so the scenario keeps
ROOM placeholder processes that it ends just before each look, to leave room.
"""

import errno
import json
import os

import psutil

from labkit import checkpoint, say, wait_for_the_probe, wait_gone
from labkit.cgroupfs import Cgroup

ROOM = 8  # tasks kept free for the harness's probe (ps, top)
CGROUP = Cgroup()  # the container's own: pids.max and pids.current, cgroup v1 or v2


def placeholders(n: int) -> tuple[list[int], int]:
    """n children that block on a pipe: they hold pids until we close its write end."""
    r, w = os.pipe()
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.close(w)
            os.read(r, 1)  # EOF when the scenario closes w
            os._exit(0)
        pids.append(pid)
    os.close(r)
    return pids, w


def neglectful_parent(report: int, hold: int) -> None:
    """Fork children that exit at once; never wait for one. Stop when fork() fails."""
    children, failure = [], {}
    while True:
        try:
            pid = os.fork()
        except OSError as err:
            failure = {
                "fork_error": type(err).__name__,
                "errno": errno.errorcode[err.errno],
                "strerror": err.strerror,
                "full_pids_current": CGROUP.pids_current(),
            }
            break
        if pid == 0:
            os._exit(0)
        children.append(pid)
    for pid in children:  # each has exited (a zombie), none is reaped
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    os.write(report, (json.dumps({"children": children, **failure}) + "\n").encode())
    os.read(hold, 1)  # EOF: time to die, without ever waiting
    os._exit(0)


def main() -> None:
    pids_max = CGROUP.pids_max()
    checkpoint("before", pids_max=pids_max, pids_current=CGROUP.pids_current())
    wait_for_the_probe()
    base = CGROUP.pids_current()
    room, room_w = placeholders(ROOM)
    report_r, report_w = os.pipe()
    hold_r, hold_w = os.pipe()
    parent = os.fork()
    if parent == 0:
        os.close(report_r)
        os.close(hold_w)
        os.close(room_w)
        neglectful_parent(report_w, hold_r)
    os.close(report_w)
    os.close(hold_r)
    with os.fdopen(report_r) as f:
        full = json.loads(f.readline())
    say(
        f"parent {parent} forked {len(full['children'])} children and waited for none; "
        f"its next fork() failed: {full.get('fork_error')} {full.get('errno')} at "
        f"pids.current={full.get('full_pids_current')} of pids.max={pids_max}"
    )

    os.close(room_w)  # free the placeholders' pids for the probe
    for pid in room:
        os.waitpid(pid, 0)
    checkpoint(
        "piled-up",
        top=True,
        parent=parent,
        zombies=full["children"],
        pids_max=pids_max,
        base=base,
        room=ROOM,
        pids_current=CGROUP.pids_current(),
        **{k: v for k, v in full.items() if k != "children"},
    )

    os.close(hold_w)  # the parent dies, never having waited
    _, status = os.waitpid(parent, 0)
    for pid in full["children"]:  # now pid 1's children: wait until it reaps them
        wait_gone(pid)
    left = [pid for pid in full["children"] if psutil.pid_exists(pid)]
    say(f"parent exited (status {status}); pid 1 reaped its zombies: {len(left)} left")
    checkpoint(
        "reaped-by-init",
        top=True,
        parent=parent,
        parent_status=status,
        zombies=full["children"],
        left=left,
        pids_current=CGROUP.pids_current(),
    )


if __name__ == "__main__":
    main()
