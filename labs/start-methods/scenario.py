"""start-methods: fork, spawn and forkserver, side by side.

For each start method the scenario:
  1. times how long a child takes from start() until its target runs (5 times);
  2. starts one more child that reports what it inherited: a global the main
     process changed after import, an open file, and the name its module has;
     the checkpoint is taken while that child is alive, so the table shows it
     with its parent and any helper process the method adds;
and all along it counts the module-level code below, which every process that
imports this file runs: under spawn, each child imports it again.

Last, unguarded.py shows why the seed insists on `if __name__ == '__main__':`.
"""

import json
import os
import statistics
import subprocess
import sys
import time

IMPORT_LOG = "/tmp/start-methods-imports.log"


def record_import() -> None:
    """Module-level code: append one line for every process that runs it."""
    line = json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "name": __name__}) + "\n"
    fd = os.open(IMPORT_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())  # one write with O_APPEND: lines never interleave
    finally:
        os.close(fd)


record_import()
COLOUR = "red"  # a global, as the module defines it; main changes it to "green"

import multiprocessing  # noqa: E402  (after the module-level code above, on purpose)

from labkit import checkpoint, say  # noqa: E402

METHODS = ("fork", "spawn", "forkserver")
TIMED = 5  # children timed per method
NOTE = "/tmp/start-methods-open-file.txt"


def first_word(conn) -> None:
    """A child that says it is running and ends: used to time the start."""
    conn.send(time.monotonic())
    conn.close()


def report_inheritance(conn, fd: int, inode: int) -> None:
    """Report what this child inherited, then wait until main says go."""
    try:
        same = "the same file" if os.fstat(fd).st_ino == inode else "another file"
        points_to = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        same, points_to = "closed", None
    conn.send(
        {
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "colour": COLOUR,
            "module_name": __name__,
            "fd": fd,
            "fd_is": same,
            "fd_points_to": points_to,
        }
    )
    conn.recv()  # stay alive for the checkpoint
    conn.close()


def imports() -> list[dict]:
    with open(IMPORT_LOG) as f:
        return [json.loads(line) for line in f]


def helpers(main: int) -> dict[str, int]:
    """multiprocessing's helper processes among main's children, by their command line."""
    import psutil

    found = {}
    for child in psutil.Process(main).children():
        cmd = " ".join(child.cmdline())
        if "multiprocessing.resource_tracker" in cmd:
            found["resource_tracker"] = child.pid
        elif "multiprocessing.forkserver" in cmd:
            found["forkserver"] = child.pid
    return found


def time_starts(ctx) -> tuple[list[float], list[int]]:
    """Milliseconds from start() until the child's target runs, TIMED times."""
    samples, pids = [], []
    for _ in range(TIMED):
        r, w = ctx.Pipe(duplex=False)
        t0 = time.monotonic()
        p = ctx.Process(target=first_word, args=(w,))
        p.start()
        t_child = r.recv()  # CLOCK_MONOTONIC is one clock for every process
        samples.append(round((t_child - t0) * 1000, 2))
        p.join()
        w.close()
        r.close()
        pids.append(p.pid)
    return samples, pids


def part_method(method: str, fd: int, inode: int) -> None:
    main = os.getpid()
    ctx = multiprocessing.get_context(method)
    before = len(imports())
    samples, timed_pids = time_starts(ctx)

    parent_end, child_end = ctx.Pipe()
    p = ctx.Process(target=report_inheritance, args=(child_end, fd, inode))
    p.start()
    report = parent_end.recv()
    new_imports = imports()[before:]
    found = helpers(main)
    say(
        f"{method}: start-up {statistics.median(samples):.1f} ms (median of {TIMED}); the child {report['pid']} "
        f"(parent {report['ppid']}) sees COLOUR={report['colour']}, fd {fd} is {report['fd_is']}, its module is "
        f"{report['module_name']}; module-level code ran {len(new_imports)} more times; helpers {found}"
    )
    checkpoint(
        f"{method}-child",
        main=main,
        method=method,
        child=report["pid"],
        report=report,
        start_ms=samples,
        timed_pids=timed_pids,
        imports=new_imports,
        helpers=found,
        python=".".join(map(str, sys.version_info[:3])),
    )
    parent_end.send("go")
    p.join()


def part_unguarded() -> None:
    """Run unguarded.py: a spawn Process started at module level, no __main__ guard."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unguarded.py")
    res = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=30)
    err = [ln.strip() for ln in res.stderr.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(err) if ln.startswith("RuntimeError")), len(err))
    error = " ".join(err[start:])  # the child's RuntimeError, on one line
    raised_at = next(
        (f"{ln} -> {err[i + 1]}" for i, ln in enumerate(err[:-1]) if "unguarded.py" in ln), ""
    )
    say(
        f"unguarded.py exited {res.returncode}; stdout: {res.stdout.splitlines()}; its child raised: {error[:120]}"
    )
    checkpoint(
        "unguarded",
        main=os.getpid(),
        exit_code=res.returncode,
        stdout=res.stdout.splitlines(),
        error=error,
        raised_at=raised_at,
    )


def part_default(fd: int, inode: int) -> None:
    """No context named: whatever this Python's default is (fork up to 3.13, forkserver from 3.14)."""
    main = os.getpid()
    parent_end, child_end = multiprocessing.Pipe()
    p = multiprocessing.Process(target=report_inheritance, args=(child_end, fd, inode))
    p.start()
    report = parent_end.recv()
    found = helpers(main)
    method = multiprocessing.get_start_method()
    say(
        f"default on Python {sys.version.split()[0]}: {method}; the child {report['pid']} (parent "
        f"{report['ppid']}) sees COLOUR={report['colour']}; helpers {found}"
    )
    checkpoint(
        "default-child",
        main=main,
        method=method,
        child=report["pid"],
        report=report,
        helpers=found,
        python=".".join(map(str, sys.version_info[:3])),
    )
    parent_end.send("go")
    p.join()


if __name__ == "__main__":
    COLOUR = "green"  # changed after import: who sees the change?
    note = open(NOTE, "w")  # an open file: who has it?
    inode = os.fstat(note.fileno()).st_ino
    say(f"start-methods lab: main process; COLOUR={COLOUR}, {NOTE} open as fd {note.fileno()}")
    for method in METHODS:
        part_method(method, note.fileno(), inode)
    part_default(note.fileno(), inode)
    part_unguarded()
