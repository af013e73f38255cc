"""terminals: sessions, process groups, the controlling terminal, and SIGHUP.

The scenario (pid 1) opens a pseudo-terminal (pty) and starts bash in it as a session
leader with job control, then types five commands, as a user would:

    python3 /lab/job.py bg &                               a background job
    nohup python3 /lab/job.py nohup >/dev/null 2>&1 &      SIGHUP ignored
    setsid python3 /lab/job.py setsid >/dev/null 2>&1 &    a new session, no terminal
    python3 /lab/job.py daemon                             double fork, setsid, chdir, closed fds
    python3 /lab/job.py fg                                 the foreground job; it starts a
                                                           Python child with daemon=True

Checkpoint `session`. Then it closes the terminal (the pty's master side, like closing a
terminal window or losing an ssh connection): the kernel hangs the terminal up and sends
SIGHUP to bash, bash passes it to its jobs and dies, the foreground group gets it too.
Everyone orphaned comes to pid 1, which reaps them and learns how each died; a roll call
(SIGUSR1: answer if you are alive) finds the survivors. Checkpoint `hung-up`.
"""

import fcntl
import json
import os
import select
import signal
import termios
import time

from labkit import checkpoint, kernel_state, say

DIR = "/tmp/terminals"
REPORT = f"{DIR}/report"
ROLES = ("bg", "nohup", "setsid", "daemon", "fg", "py-daemon")
COMMANDS = [
    "python3 /lab/job.py bg &",
    "nohup python3 /lab/job.py nohup >/dev/null 2>&1 &",
    "setsid python3 /lab/job.py setsid >/dev/null 2>&1 &",
    "python3 /lab/job.py daemon",
    "python3 /lab/job.py fg",
]


def stat(pid: int) -> dict:
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return {
        "pid": pid,
        "ppid": int(rest[1]),
        "pgid": int(rest[2]),
        "sid": int(rest[3]),
        "tty_nr": int(rest[4]),
        "tty": tty_name(int(rest[4])),
        "tpgid": int(rest[5]),
    }


def tty_name(nr: int) -> str:
    major, minor = (nr >> 8) & 0xFFF, (nr & 0xFF) | ((nr >> 12) & 0xFFF00)
    return (
        f"pts/{minor + (major - 136) * 256}"
        if 136 <= major <= 143
        else ("?" if nr == 0 else str(nr))
    )


def start_shell(slave: int, master: int) -> int:
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()  # bash leads a new session ...
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)  # ... whose controlling terminal is the pty
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(slave)
        env = {"PATH": os.environ["PATH"], "HOME": "/tmp", "TERM": "dumb", "PS1": "$ "}
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    return pid


class Reports:
    """JSON lines from the jobs, on one FIFO (held open read-write, so it never sees EOF)."""

    def __init__(self):
        os.makedirs(DIR, exist_ok=True)
        os.mkfifo(REPORT)
        self.fd, self.buf = os.open(REPORT, os.O_RDWR), b""

    def next(self) -> dict:
        while b"\n" not in self.buf:
            self.buf += os.read(self.fd, 4096)
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


def drain(master: int, screen: list) -> None:
    while select.select([master], [], [], 0)[0]:
        try:
            data = os.read(master, 4096)
        except OSError:
            return
        screen.append(data.decode(errors="replace"))


def settled(pid: int, deadline_s: float = 10.0) -> None:
    """Until the kernel shows the job asleep (in signal.pause()) or dead. A SIGUSR1 that lands
    after Python's last look for signals but before pause() starts would wait for a second one."""
    end = time.monotonic() + deadline_s
    while kernel_state(pid) not in ("S", "Z", "gone") and time.monotonic() < end:
        time.sleep(0.002)


def roll_call(reports: Reports, pidfds: dict, pids: dict) -> dict:
    """Who is still alive? SIGUSR1 to each: a living job answers, a dead one's pidfd is readable."""
    alive = {}
    for role, fd in pidfds.items():
        settled(pids[role])
        try:
            signal.pidfd_send_signal(fd, signal.SIGUSR1)
        except ProcessLookupError:
            continue  # already gone
        ready, _, _ = select.select([fd, reports.fd], [], [], 20)
        if reports.fd in ready:
            r = reports.next()
            alive[r["role"]] = r
        elif not ready:
            raise TimeoutError(f"{role} neither answered nor exited")
    return alive


def reap_dead(dead: set, pids: dict) -> dict:
    """Reap until every dead job's status is known (orphans are pid 1's children)."""
    by_pid, statuses = {pids[r]: r for r in dead}, {}
    while set(statuses) != dead:
        pid, status = os.waitpid(-1, 0)
        if pid in by_pid:
            statuses[by_pid[pid]] = {
                "status": status,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            }
    return statuses


def main():
    reports = Reports()
    master, slave = os.openpty()
    tty = os.ttyname(slave)
    shell = start_shell(slave, master)
    os.close(slave)
    for cmd in COMMANDS:
        os.write(master, (cmd + "\n").encode())
    screen = []
    jobs = {}
    while len(jobs) < len(ROLES):
        r = reports.next()
        jobs[r["role"]] = r
        drain(master, screen)
    pids = {role: r["pid"] for role, r in jobs.items()}
    pidfds = {role: os.pidfd_open(pid) for role, pid in pids.items()}
    drain(master, screen)
    say(f"bash {shell} on {tty}; jobs: " + ", ".join(f"{k}={v}" for k, v in pids.items()))
    checkpoint(
        "session",
        shell=shell,
        tty=tty,
        pids=pids,
        reports=jobs,
        screen="".join(screen),
        table={str(p): stat(p) for p in [shell, *pids.values()]},
    )

    say(f"closing the terminal {tty}")
    os.close(master)
    _, shell_status = os.waitpid(shell, 0)
    alive = roll_call(reports, pidfds, pids)
    dead = set(ROLES) - set(alive)
    statuses = reap_dead(dead, pids)
    for role in ROLES:
        say(
            f"{role:<10} "
            + (
                f"alive, tty {tty_name(alive[role]['tty_nr'])}, ppid {alive[role]['ppid']}"
                if role in alive
                else f"died of signal {statuses[role]['signal']}"
            )
        )
    checkpoint(
        "hung-up",
        shell=shell,
        pids=pids,
        alive=alive,
        dead=statuses,
        shell_signal=os.WTERMSIG(shell_status) if os.WIFSIGNALED(shell_status) else None,
        table={str(pids[r]): stat(pids[r]) for r in alive},
    )
    for role in alive:
        os.kill(pids[role], signal.SIGTERM)
    while True:  # pid 1 reaps everyone before it leaves
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break


if __name__ == "__main__":
    say("terminals lab: a pty, a session, and SIGHUP")
    main()
