"""exec-zombies: `docker exec` leaves a background job behind; who reaps it?

A health check or a learner's `docker exec sh -c '... &'` starts a process in
the background and exits. The background process is orphaned and adopted by
the container's pid 1. If pid 1 is an application that never calls wait()
(init = false), each such process becomes a zombie of pid 1 and they pile up,
one per exec. With an init (tini, `docker run --init`) each is reaped.

The scenario holds at `exec-N` while the harness runs the exec (lab.toml
actions); the exec'd shell writes its own pid and its orphan's to /tmp/orphan-N. Then the
scenario lets the orphan end (it is `cat` on a FIFO: it ends only once the
shell has gone, or the shell itself might reap it) and waits until it has exited — as its new parent (pid 1) with
waitid(WNOWAIT), which does not reap; or, under tini, until tini has reaped it.
"""

import os
import select

from labkit import checkpoint, say, wait_gone

ROUNDS = 3


def exited(pid: int) -> None:
    """Block until `pid` (not my child) has exited: a pidfd becomes readable then. If it is
    already gone, pidfd_open says so. Its orphans are re-parented before it counts as exited."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    select.select([fd], [], [])
    os.close(fd)


def main() -> None:
    me = os.getpid()
    say(
        f"scenario is pid {me}"
        + (": pid 1, and I never call wait()" if me == 1 else "; tini is pid 1")
    )
    for i in range(1, ROUNDS + 1):
        go = f"/tmp/go-{i}"
        os.mkfifo(go, 0o666)
        os.chmod(go, 0o666)  # whoever the exec runs as may open it
        checkpoint(f"exec-{i}", scenario=me, round=i)  # the harness runs `docker exec` here
        with open(f"/tmp/orphan-{i}") as f:
            shell, orphan = map(int, f.read().split())
        exited(shell)  # the exec's shell has gone: its orphan has a new parent now
        os.close(os.open(go, os.O_WRONLY))  # ...and now the orphan may end: its cat reads EOF
        if me == 1:
            # The orphan is my child now; block until it has exited, without reaping it.
            os.waitid(os.P_PID, orphan, os.WEXITED | os.WNOWAIT)
            say(f"round {i}: the exec's background process {orphan} has exited; I do not reap it")
        else:
            wait_gone(orphan)
            say(f"round {i}: the exec's background process {orphan} was reaped by pid 1")
        checkpoint(f"round-{i}", top=True, scenario=me, round=i, shell=shell, orphan=orphan)


if __name__ == "__main__":
    main()
