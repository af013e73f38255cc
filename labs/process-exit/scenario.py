"""process-exit: the seed's four ways a process ends (进程的结束), each seen as an exit status.

1 normal exit        python3 -c 'print(...)'                 -> 0
2 error exit         python3 /lab/missing.py                 -> 2   (the file is not there)
                     an uncaught exception                   -> 1
                     1/0: ZeroDivisionError, only an exception -> 1, not a signal
3 fatal error        a real invalid memory access (ctypes)   -> -11, the shell says 139
4 killed by another  kill -9 PID from another process        -> -9,  the shell says 137

All six children end; the parent waits until each has ended *without* reaping it
(waitid WNOWAIT), so the snapshot shows six zombies with their exit codes still in the
kernel (/proc/PID/stat field 52). Then the parent reaps them, and the same programs run
under sh, which prints $?. Finally a multiprocessing.Process segfaults: exitcode -11.
"""

import multiprocessing
import os
import subprocess
import sys

from labkit import checkpoint, say

PY = sys.executable
# A core file would be written into the cwd (or piped to the host's core_pattern helper):
# no cores, so the status is the plain signal number.
NO_CORE = "import resource; resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); "
CASES = {
    "normal": [PY, "-c", "print('finished its work')"],
    "missing-file": [PY, "/lab/missing.py"],
    "exception": [PY, "-c", "raise ValueError('nobody caught me')"],
    "zero-division": [PY, "-c", "1/0"],
    "segfault": [PY, "-c", NO_CORE + "import ctypes; ctypes.string_at(0)"],  # reads address 0
    "killed": [PY, "-c", "import signal; signal.pause()"],  # waits until killed
}


def stat_exit_code(pid: int) -> int:
    """Field 52 of /proc/PID/stat: the wait status the kernel keeps for a zombie."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[49])


def part_direct() -> dict:
    procs = {
        name: subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        for name, cmd in CASES.items()
    }
    victim = procs["killed"].pid
    killer = subprocess.run(["kill", "-9", str(victim)])  # another process kills it
    say(f"/bin/kill -9 {victim} exited {killer.returncode}")
    for p in procs.values():
        os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
    checkpoint(
        "all-ended",
        top=True,
        parent=os.getpid(),
        pids={n: p.pid for n, p in procs.items()},
        stat_exit={n: stat_exit_code(p.pid) for n, p in procs.items()},
    )
    codes, stderr = {}, {}
    for name, p in procs.items():
        _, status = os.waitpid(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace").strip().splitlines()
        codes[name] = {
            "status": status,
            "returncode": p.returncode,
            "signaled": os.WIFSIGNALED(status),
        }
        stderr[name] = err[-1] if err else ""
        say(f"{name:<14} raw status {status:#06x}  returncode {p.returncode:>4}  {stderr[name]}")
    checkpoint(
        "reaped",
        parent=os.getpid(),
        codes=codes,
        stderr=stderr,
        pids={n: p.pid for n, p in procs.items()},
    )
    return codes


def part_shell() -> dict:
    """The same programs under sh: $? is 128+N for a signal."""
    lines = [
        f"{PY} -c 'print(42)' >/dev/null; echo normal $?",
        f"{PY} /lab/missing.py 2>/dev/null; echo missing-file $?",
        f"{PY} -c '1/0' 2>/dev/null; echo zero-division $?",
        f'{PY} -c "{CASES["segfault"][2]}"; echo segfault $?',
        f"{PY} -c 'import signal; signal.pause()' & kill -9 $!; wait $!; echo killed $?",
    ]
    out = subprocess.run(
        ["sh", "-c", "\n".join(lines)], capture_output=True, text=True, stdin=subprocess.PIPE
    )
    shell = {}
    for line in out.stdout.split("\n"):
        if line.strip():
            name, code = line.split()
            shell[name] = int(code)
    say("sh's $?: " + ", ".join(f"{k} {v}" for k, v in shell.items()))
    return shell


def crash():
    import ctypes
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    ctypes.string_at(0)


def part_multiprocessing() -> dict:
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(target=crash)
    p.start()
    p.join()
    say(f"a Process that segfaults: exitcode {p.exitcode}")
    return {"exitcode": p.exitcode}


if __name__ == "__main__":
    say("process-exit: four ways to end")
    part_direct()
    shell = part_shell()
    mp = part_multiprocessing()
    checkpoint("shell", shell=shell, mp=mp)
