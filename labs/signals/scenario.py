"""signals: exit codes, and what a signal leaves behind.

1. Seven multiprocessing children end seven ways; their `exitcode`s.
2. The raw wait status behind them (os.waitpid), and the shell's 128+N.
3. The seed's terminate()/is_alive() example, made certain.
4. terminate() kills a process, not its children; killpg() kills the group.
5. The scenario ends by SIGTERM itself: the container's exit code says so.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import time

from labkit import checkpoint, say, wait_asleep, wait_gone

ctx = multiprocessing.get_context("fork")


# -- 1. exitcode --------------------------------------------------------------
def returns():
    return "a value nobody sees"


def exits_3():
    sys.exit(3)


def raises():
    raise ValueError("an uncaught exception in the child")


def waits(ready, default_sigint=False):
    if default_sigint:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # undo Python's KeyboardInterrupt handler
    ready.set()
    time.sleep(60)  # ended by a signal long before this


def signalled(how, default_sigint: bool = False) -> int:
    """A child that sleeps, ended by `how` ("terminate", "kill" or a signal number): its exitcode."""
    ready = ctx.Event()
    p = ctx.Process(target=waits, args=(ready, default_sigint))
    p.start()
    ready.wait()
    # Signal it only once the kernel shows it asleep in time.sleep(). Python runs a handler
    # (SIGINT's KeyboardInterrupt) between bytecodes: a signal that lands after the child's
    # last check but before its sleep starts is noted and then slept through, for 60 s.
    # Measured: without this wait, 7 of 8 loops of 300 SIGINTs hung, on 3.11 and 3.14 alike.
    if wait_asleep([p.pid]):
        raise RuntimeError(f"child {p.pid} never went to sleep")
    if how == "terminate":
        p.terminate()
    elif how == "kill":
        p.kill()
    else:
        os.kill(p.pid, how)
    p.join()
    return p.exitcode


def exitcodes() -> dict:
    codes = {}
    for case, target in (
        ("return", returns),
        ("sys.exit(3)", exits_3),
        ("raise ValueError", raises),
    ):
        p = ctx.Process(target=target)
        p.start()
        p.join()
        codes[case] = p.exitcode
    for case, how, default_sigint in (
        ("terminate()", "terminate", False),
        ("kill()", "kill", False),
        ("SIGINT", signal.SIGINT, False),
        ("SIGINT, default action", signal.SIGINT, True),
    ):
        codes[case] = signalled(how, default_sigint)
    for case, code in codes.items():
        say(f"{case:<24} exitcode {code}")
    return codes


# -- 2. raw status --------------------------------------------------------------
def decode(status: int) -> dict:
    d = {
        "status": status,
        "hex": f"0x{status:04x}",
        "WIFEXITED": os.WIFEXITED(status),
        "WIFSIGNALED": os.WIFSIGNALED(status),
    }
    if os.WIFEXITED(status):
        d["WEXITSTATUS"] = os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        d["WTERMSIG"] = os.WTERMSIG(status)
    d["waitstatus_to_exitcode"] = os.waitstatus_to_exitcode(status)
    return d


def raw_statuses() -> dict:
    out = {}
    pid = os.fork()
    if pid == 0:
        os._exit(3)
    out["_exit(3)"] = decode(os.waitpid(pid, 0)[1])

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)  # blocks: the parent kills it here
        os._exit(0)
    os.close(r)
    os.kill(pid, signal.SIGTERM)
    out["SIGTERM"] = decode(os.waitpid(pid, 0)[1])
    os.close(w)

    # The same deaths seen by a shell ($?) and by Python's subprocess (returncode).
    def sh(script: str) -> str:
        return subprocess.run(["sh", "-c", script], capture_output=True, text=True).stdout.strip()

    out["shell"] = {
        "exit 3": sh('sh -c "exit 3"; echo $?'),
        "kill -TERM itself": sh('sh -c "kill -TERM \\$\\$"; echo $?'),
        "python3 gets SIGINT": sh(
            'python3 -c "import os, signal, time; os.kill(os.getpid(), signal.SIGINT); '
            'time.sleep(5)" 2>/dev/null; echo $?'
        ),
    }
    out["subprocess"] = {
        "kill -TERM itself": subprocess.run(["sh", "-c", "kill -TERM $$"]).returncode,
        "python3 gets SIGINT": subprocess.run(
            [
                "python3",
                "-c",
                "import os, signal, time; os.kill(os.getpid(), signal.SIGINT); time.sleep(5)",
            ],
            stderr=subprocess.DEVNULL,
        ).returncode,
    }
    for k, v in out.items():
        say(f"{k}: {v}")
    return out


# -- 3. terminate() and is_alive() ------------------------------------------------
def blocks_sigterm(ready, go):
    signal.pthread_sigmask(
        signal.SIG_BLOCK, {signal.SIGTERM}
    )  # a critical section: SIGTERM must wait
    ready.set()
    go.wait()
    signal.pthread_sigmask(
        signal.SIG_UNBLOCK, {signal.SIGTERM}
    )  # the pending SIGTERM is delivered here
    say("this line is never printed")


def signal_lines(pid: int) -> list:
    with open(f"/proc/{pid}/status") as f:
        return [ln.strip() for ln in f if ln.startswith(("ShdPnd:", "SigBlk:"))]


def terminate_is_not_instant() -> None:
    ready, go = ctx.Event(), ctx.Event()
    p = ctx.Process(target=blocks_sigterm, args=(ready, go))
    p.start()
    ready.wait()
    p.terminate()  # sends SIGTERM and returns at once
    alive = p.is_alive()
    lines = signal_lines(p.pid)
    say(f"right after terminate(): is_alive()={alive}; {lines}")
    checkpoint("terminate-sent", parent=os.getpid(), child=p.pid, is_alive=alive, proc_status=lines)

    go.set()  # end the critical section: SIGTERM lands
    p.join()
    say(f"after join(): is_alive()={p.is_alive()}, exitcode={p.exitcode}")
    checkpoint(
        "joined", parent=os.getpid(), child=p.pid, is_alive=p.is_alive(), exitcode=p.exitcode
    )


# -- 4. families ------------------------------------------------------------------
def family(report, own_group):
    if own_group:
        os.setpgid(0, 0)  # a new process group, led by me
    g = os.fork()
    if g == 0:
        time.sleep(3600)  # the grandchild: a long job
        os._exit(0)
    report.send(g)
    time.sleep(3600)


def families() -> None:
    me = os.getpid()
    kids = []
    for own_group in (False, True):
        here, there = ctx.Pipe(duplex=False)
        p = ctx.Process(target=family, args=(there, own_group))
        p.start()
        kids.append((p, here.recv()))
    (p1, g1), (p2, g2) = kids
    checkpoint(
        "families",
        scenario=me,
        child1=p1.pid,
        grandchild1=g1,
        child2=p2.pid,
        grandchild2=g2,
        pgid={str(pid): os.getpgid(pid) for pid in (me, p1.pid, g1, p2.pid, g2)},
    )

    p1.terminate()
    p1.join()
    say(f"terminate() ended child {p1.pid} (exitcode {p1.exitcode}); its child {g1} lives on")
    checkpoint("terminated-child", scenario=me, child1=p1.pid, grandchild1=g1, exitcode=p1.exitcode)

    os.killpg(p2.pid, signal.SIGTERM)  # the whole group: child2 and grandchild2
    p2.join()
    wait_gone(g2)
    say(f"killpg({p2.pid}) ended child {p2.pid} (exitcode {p2.exitcode}) and its child {g2}")
    checkpoint(
        "group-killed",
        scenario=me,
        child2=p2.pid,
        grandchild2=g2,
        grandchild1=g1,
        exitcode=p2.exitcode,
    )

    os.kill(g1, signal.SIGTERM)  # tidy up the orphan; tini reaps it
    wait_gone(g1)


if __name__ == "__main__":
    checkpoint("exitcodes", codes=exitcodes())
    checkpoint("raw-status", **raw_statuses())
    terminate_is_not_instant()
    families()
    say("the scenario now sends itself SIGTERM: watch the container's exit code")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    say("still here?! this line is never printed")
