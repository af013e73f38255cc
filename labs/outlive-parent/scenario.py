"""outlive-parent: the parent is SIGKILLed; what happens to its children and grandchildren?

main forks the *parent*; the parent starts a worker (multiprocessing, fork) and
the worker forks a grandchild. main SIGKILLs the parent (atexit, finally and
daemon clean-up never run) and, once the variant's protection has had its
effect, looks at the table. Variants (PROCLAB_VARIANT):

daemon            Process(daemon=True): a promise kept at the parent's *exit*; nothing here
pdeathsig         the worker sets prctl(PR_SET_PDEATHSIG, SIGKILL), then rechecks getppid()
pdeathsig-thread  the same, but the worker was started from a thread that then ends
killpg            the parent leads a process group; main kills the whole group
subreaper         main is a child subreaper: it adopts the orphans and kills them
pipe              the worker and grandchild block reading a pipe whose write end only the parent holds
pid1-trap         no parent process: main is the parent and pid 1, and the workers test getppid() == 1
"""

import ctypes
import multiprocessing
import os
import signal
import threading

import psutil

from labkit import checkpoint, say, wait_gone

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
ORPHANED = 3  # the exit code of a worker that thinks its parent is gone
variant = os.environ.get("PROCLAB_VARIANT", "daemon")
libc = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, value: int) -> None:
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def block(eof_r: int) -> None:
    """Wait for the end: EOF on the pipe (the 'pipe' variant) or a signal."""
    if variant == "pipe":
        if os.read(eof_r, 1) == b"":
            say("EOF on the parent's pipe: my parent is gone, I exit")
            os._exit(0)
    while True:
        signal.pause()


def worker(parent: int, report_w: int, eof_r: int, eof_w: int, armed_w: int) -> None:
    os.close(eof_w)  # only the parent may hold the write end, or EOF never comes
    if variant == "pid1-trap" and os.getppid() == 1:
        say("getppid() == 1: 'my parent is gone' — but pid 1 IS my parent")
        os._exit(ORPHANED)
    if variant.startswith("pdeathsig"):
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl: the signal will never come
            os._exit(ORPHANED)
    g = os.fork()
    if g == 0:  # the grandchild: fork() cleared PDEATHSIG for it
        os.write(report_w, f"grandchild {os.getpid()} {os.getpgrp()}\n".encode())
        block(eof_r)
    os.write(report_w, f"child {os.getpid()} {os.getpgrp()}\n".encode())
    if armed_w >= 0:
        os.write(armed_w, b"1")
    block(eof_r)


def start_worker(report_w: int, eof: tuple[int, int], armed_w: int = -1):
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(
        target=worker,
        args=(os.getpid(), report_w, eof[0], eof[1], armed_w),
        daemon=(variant == "daemon"),
    )
    p.start()
    return p


def parent(report_w: int) -> None:
    """The process that will be SIGKILLed. It never returns."""
    if variant == "killpg":
        os.setpgid(0, 0)  # lead a new group: the worker and grandchild inherit it
    eof = os.pipe()
    if variant == "pdeathsig-thread":
        armed_r, armed_w = os.pipe()
        started = []

        def short_lived():  # starts the worker, waits until it is armed, and ends
            started.append(start_worker(report_w, eof, armed_w))
            os.read(armed_r, 1)

        t = threading.Thread(target=short_lived)
        t.start()
        t.join()
        say("parent: the thread that started the worker has ended; I live on")
        # Block until the worker has died, without reaping it: it stays my zombie, for all to see.
        info = os.waitid(os.P_PID, started[0].pid, os.WEXITED | os.WNOWAIT)
        os.write(report_w, f"died {info.si_pid} {info.si_status}\n".encode())
    else:
        start_worker(report_w, eof)
    while True:
        signal.pause()


def read_family(report_r, want: set) -> dict:
    """The reports by role, in whatever order they come: on a busy host the grandchild's line
    can arrive after the parent's 'died' (the worker's PDEATHSIG) one."""
    family = {}
    while not want <= family.keys():
        role, pid, value = report_r.readline().split()
        if role == "died":  # died PID SIGNAL
            family["child_signal"] = int(value)
        else:  # child|grandchild PID PGID
            family[role], family[f"{role}_pgid"] = int(pid), int(value)
    return family


def pid1_trap() -> None:
    me = os.getpid()
    report_r, report_w = os.pipe()
    p = start_worker(report_w, os.pipe())
    p.join()  # it exits at once: its parent (me) is pid 1
    say(f"main (pid {me}) is alive; its worker {p.pid} exited with {p.exitcode}")
    checkpoint("started", main=me, child=p.pid, exitcode=p.exitcode, variant=variant)


def clean_up_adoptees() -> list:
    """As a subreaper: kill and reap every child until none is left (grandchildren come to me too)."""
    done = []
    while kids := psutil.Process().children():
        for k in kids:
            os.kill(k.pid, signal.SIGKILL)
            os.waitpid(k.pid, 0)
            done.append(k.pid)
    return done


def main() -> None:
    if variant == "pid1-trap":
        return pid1_trap()
    me = os.getpid()
    if variant == "subreaper":
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    report_r, report_w = os.pipe()
    par = os.fork()
    if par == 0:
        parent(report_w)
    os.close(report_w)
    report = os.fdopen(report_r)
    # with the thread variant, PDEATHSIG fired when the *thread* ended: the parent says so ('died')
    want = {"child", "grandchild"} | ({"child_signal"} if variant == "pdeathsig-thread" else set())
    fam = dict(main=me, parent=par, variant=variant, **read_family(report, want))
    checkpoint("before-kill", **fam)

    if variant == "killpg":
        os.killpg(par, signal.SIGKILL)
    else:
        os.kill(par, signal.SIGKILL)
    _, status = os.waitpid(par, 0)
    say(f"main: the parent {par} is dead (signal {os.WTERMSIG(status)})")
    fam["parent_signal"] = os.WTERMSIG(status)
    expected_gone = {
        "pdeathsig": ["child"],
        "killpg": ["child", "grandchild"],
        "pipe": ["child", "grandchild"],
    }.get(variant, [])
    for role in expected_gone:  # block until the protection has acted (or 10 s: then it failed)
        try:
            wait_gone(fam[role])
        except psutil.TimeoutExpired:
            say(f"main: the {role} {fam[role]} is still there after 10 s")
    if variant == "subreaper":
        checkpoint("adopted", **fam)
        fam["cleaned"] = clean_up_adoptees()
    checkpoint("after-kill", **fam)
    for role in ("child", "grandchild"):  # leave nothing behind, whatever the variant
        try:
            os.kill(fam[role], signal.SIGKILL)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    main()
