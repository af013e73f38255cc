"""Carry the labs' verdict out of 'docker compose up labs' as its exit status.

Plain 'docker compose up' exits 0 whatever its containers exit with (only
'--exit-code-from' or 'run' pass a status on). What does fail it is a failing
lifecycle hook: Compose runs a service's 'post_start' commands inside the
container right after starting it, shows their output, and 'up' exits 1 when
one exits non-zero.

So the 'labs' service's main process is a small supervisor ('harness ...')
that runs the proclab CLI as its child, narrated and attached as usual, and
its post_start hook ('wait') reads the CLI's status from a FIFO and exits with
it:

    supervisor (main process)            post_start hook (docker exec)
    -------------------------            -----------------------------
    mkfifo; open it read-write           mkfifo; open it for reading
    runs 'proclab run ...' (child)       reads a line ... (blocks)
    the CLI ends with 1; it asks the
      engine for the hook's exec
    writes "1\\n"                        reads "1": prints the verdict, exits 1
    waits until the engine says that     ->  'docker compose up' exits 1
      exec has ended, then exits

The order of the last two steps matters, and was measured with Compose 2.40:
a hook still running when the container's main process exits is killed with
it (status 137: 'up' fails although every check passed), or, in a container
sharing the host's pid namespace, never reported at all ('up' hangs; so the
labs service reads the host's /proc through a mount instead: hostproc.py). So
the supervisor outlives the hook: it asks the engine (the socket is mounted
anyway) for the execs running in its container before it writes the status
(the engine lists running execs only), and exits once they have ended. Under
'docker compose run', which runs no hooks, the container is labelled as a
one-off and the supervisor exits at once with the CLI's own status.

However the CLI ends, the supervisor writes a status: a CLI killed by a signal
gives 128 + the signal's number, and the supervisor removes the lab containers
it left. If the whole container is killed ('docker kill'), its pid namespace
goes with it, the hook too, and Compose reports the hook's 137: 'up' fails.

The supervisor polls the engine every POLL_S while it waits, and every wait is
bounded: a hook that finds no harness within HARNESS_START_S gives up, and so
does a supervisor whose hook never started (HOOK_START_S) or never ended
(HOOK_END_S).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

FIFO_ENV = "PROCLAB_VERDICT_FIFO"
HARNESS_START_S = 120  # hook: the supervisor opens the FIFO first thing
HOOK_START_S = 60  # supervisor: Compose starts the hook right after the container
HOOK_END_S = 30  # supervisor: the hook ends as soon as it has read the status
POLL_S = 0.05  # supervisor: how often it asks the engine whether the hook still runs
NO_VERDICT = 1  # the hook's status when the harness ended without one

_VERDICTS = {
    0: "no check failed",
    1: "a check failed",
    2: "proclab could not run the labs",
    130: "interrupted",
}


def _make_fifo(fifo: Path) -> None:
    fifo.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkfifo(fifo, 0o600)
    except FileExistsError:
        pass


def open_channel(fifo: Path) -> int:
    """The supervisor's end, opened read-write: never blocks, closed by the kernel if it dies."""
    _make_fifo(fifo)
    return os.open(fifo, os.O_RDWR)  # not inherited by children (PEP 446)


def report(fd: int, status: int) -> None:
    os.write(fd, f"{status}\n".encode())  # a few bytes: fits the pipe's buffer, reader or not


def open_for_verdict(fifo: Path):
    """The hook's end: blocks until the supervisor has the FIFO open."""
    _make_fifo(fifo)
    return open(fifo, "rb")


def read_verdict(f) -> int | None:
    """The status the supervisor wrote, or None if its end closed without one."""
    with f:
        line = f.readline()  # one line: the supervisor stays until the hook has gone
    try:
        return int(line.decode("ascii", "replace").strip())
    except ValueError:
        return None


def exit_status(returncode: int) -> int:
    """A child's status as a shell reports it: killed by signal N -> 128 + N."""
    return returncode if returncode >= 0 else 128 - returncode


def run_cli(argv: list[str]) -> int:
    """Run 'proclab ARGV' as a child, passing on the signals a container stop sends; its exit status."""
    child = subprocess.Popen([sys.executable, "-m", "proclab.cli", *argv])

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    return exit_status(child.wait())


def find_hook(
    started: float, look=None, clock=time.monotonic, pause=time.sleep
) -> tuple[list[str], str]:
    """The execs running in this container (the hook, in the usual case), once there is one; says why.

    Asked before the status is written: the hook ends right after reading it, and the engine
    lists only running execs. look() -> engine.SelfView | None; the default asks the engine.
    """
    if look is None:
        from .. import engine

        look = engine.self_view
    while True:
        view = look()
        if view is None:
            return [], "not in a container the engine knows"
        if view.oneoff:
            return [], "docker compose run: no hook"
        if view.execs:
            return view.execs, "the hook runs"
        if clock() > started + HOOK_START_S:
            return [], f"no hook started within {HOOK_START_S} s"
        pause(POLL_S)


def await_end(execs: list[str], running=None, clock=time.monotonic, pause=time.sleep) -> str:
    """Return once none of the execs runs any more, or after HOOK_END_S; says why."""
    if running is None:
        from .. import engine

        running = engine.exec_running
    until = clock() + HOOK_END_S
    while any(running(e) for e in execs):
        if clock() > until:
            return f"the hook still runs after {HOOK_END_S} s"
        pause(POLL_S)
    return "the hook has ended"


def sweep_after_kill(status: int) -> None:
    """A CLI killed by a signal could not remove its lab containers: do it (its owner label names it dead)."""
    from .. import engine
    from ..engine import tracefs

    try:
        removed = engine.sweep() + tracefs.sweep()
    except Exception as err:  # the engine went away too, say: the next run sweeps
        print(
            f"proclab: the harness was killed (exit {status}); could not sweep: {err}",
            file=sys.stderr,
        )
        return
    print(
        f"proclab: the harness was killed (exit {status}); removed what it left: "
        f"{', '.join(removed) or 'nothing'}",
        file=sys.stderr,
        flush=True,
    )


def _supervise(argv: list[str]) -> int:
    fifo = os.environ.get(FIFO_ENV)
    if not fifo:
        return run_cli(argv)
    started = time.monotonic()
    fd = open_channel(Path(fifo))
    status = run_cli(argv)
    if status > 128:
        sweep_after_kill(status)
    hook, why = find_hook(started)
    report(fd, status)
    if hook:
        why = await_end(hook)
    if why not in ("the hook has ended", "docker compose run: no hook"):
        print(f"proclab: the verdict hook: {why}", file=sys.stderr, flush=True)
    return status


def _on_alarm(signum: int, frame: object) -> None:
    print(
        f"verdict: no harness opened {os.environ.get(FIFO_ENV)} within {HARNESS_START_S} s",
        flush=True,
    )
    os._exit(NO_VERDICT)


def _wait() -> int:
    fifo = os.environ.get(FIFO_ENV)
    if not fifo:
        print(f"proclab: set {FIFO_ENV} to the FIFO the harness reports to", file=sys.stderr)
        return 2
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HARNESS_START_S)  # for the open() only: the labs themselves may take long
    f = open_for_verdict(Path(fifo))
    signal.alarm(0)
    status = read_verdict(f)
    if status is None:
        print("verdict: the harness ended without a verdict (see its output above)", flush=True)
        return NO_VERDICT
    print(f"verdict: {_VERDICTS.get(status, 'the harness failed')} (exit {status})", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["harness"]:
        return _supervise(args[1:])
    if args == ["wait"]:
        return _wait()
    print(
        "usage: python3 -m proclab.cli.composehook harness PROCLAB-ARGS... | wait", file=sys.stderr
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
