"""Carry the labs' verdict out of 'docker compose up labs' as its exit status.

Plain 'docker compose up' exits 0 whatever its containers exit with (only
'--exit-code-from' or 'run' pass a status on). What does fail it is a failing
lifecycle hook: Compose runs a service's 'post_start' commands inside the
container right after starting it, shows their output, and 'up' exits 1 when
one exits non-zero.

So the 'labs' service runs the harness as its main process, narrated and
attached as usual ('harness run ...'), and a post_start hook ('wait') that blocks on a FIFO
until the harness has finished and then exits with its status:

    main process                          post_start hook
    ------------                          ---------------
    runs the labs (narrates)              mkfifo, open for reading (blocks)
    opens the FIFO for writing  ------->  reads "1"
    writes its status, exits 1            exits 1  ->  'docker compose up' exits 1

'docker compose run' runs no hooks, and nothing may wait for one for ever: the
harness hands its status over only if the hook has made the FIFO by the end of
a short grace period counted from the harness's own start (the hook starts
within about 0.1 s of the container; every lab runs longer than that), and
not at all in a container 'docker compose run' made.

If the harness dies without writing, tini (init: true) ends the container and
with it the hook, which Compose then reports as failed: still non-zero.
"""
from __future__ import annotations

import errno
import os
import socket
import sys
import time
from pathlib import Path

FIFO_ENV = "PROCLAB_VERDICT_FIFO"
GRACE_S = 3.0      # from the harness's start, how long a hook has to show up


def _make_fifo(fifo: Path) -> None:
    fifo.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkfifo(fifo, 0o600)
    except FileExistsError:
        pass


def hand_over(status: int, fifo: Path, started: float, grace_s: float = GRACE_S) -> bool:
    """Give status to a waiting hook; False if none came within the grace period."""
    deadline = started + grace_s
    while True:
        if fifo.exists():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:      # ENXIO: made, but its reader is not in open() yet
                    raise
            else:
                try:
                    os.write(fd, f"{status}\n".encode())
                finally:
                    os.close(fd)
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)     # waiting for a process that may never come, not for a scenario


def wait_for_verdict(fifo: Path) -> int:
    """The hook's side: block until the harness reports, return its status."""
    _make_fifo(fifo)
    with open(fifo, encoding="ascii") as f:      # blocks until the harness opens it
        text = f.read().strip()
    try:
        return int(text)
    except ValueError:
        print(f"proclab: the harness handed over {text!r}, not an exit status", file=sys.stderr)
        return 2


def _run(argv: list[str]) -> int:
    from . import cli

    started = time.monotonic()
    try:
        cli.main(argv)
        status = 0
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    fifo = os.environ.get(FIFO_ENV)
    if fifo:
        sys.stdout.flush()
        sys.stderr.flush()
        grace = 0.0 if started_by_compose_run() else GRACE_S
        hand_over(status, Path(fifo), started, grace)
    return status


def started_by_compose_run() -> bool:
    """'docker compose run' runs no hooks: then there is nobody to wait for."""
    from . import engine

    return engine.is_compose_oneoff(socket.gethostname())    # a container's hostname is its id


_VERDICTS = {0: "every check passed", 1: "a check failed", 2: "proclab could not run the labs",
             130: "interrupted"}


def _wait() -> int:
    fifo = os.environ.get(FIFO_ENV)
    if not fifo:
        print(f"proclab: set {FIFO_ENV} to the FIFO the harness reports to", file=sys.stderr)
        return 2
    status = wait_for_verdict(Path(fifo))
    print(f"verdict: {_VERDICTS.get(status, 'the harness failed')} (exit {status})", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["harness"]:
        return _run(args[1:])
    if args == ["wait"]:
        return _wait()
    print("usage: python3 -m proclab.composehook harness PROCLAB-ARGS... | wait", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
