"""The hand-over between the harness and the labs service's post_start hook, on a
real FIFO in a temp dir, with the harness as a real child process (no Docker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

from proclab.cli import composehook

HARNESS = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from proclab.cli import composehook

    fd = composehook.open_channel(Path(sys.argv[1]))
    print("open", flush=True)
    how = sys.stdin.readline().strip()          # the test says how this harness ends
    if how == "crash":
        raise RuntimeError("a bug in the harness")
    if how == "kill":
        os.kill(os.getpid(), 9)
    status, _, then = how.partition(" ")
    composehook.report(fd, int(status))
    if then == "stay":                          # the supervisor outlives the hook
        sys.stdin.readline()
""")


def start_harness(fifo):
    # a process of its own: the hook watches a harness that stays alive or dies beside it
    p = subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(fifo)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert p.stdout.readline().strip() == "open"
    return p


def hook_in_thread(fifo):
    got: dict[str, int | None] = {}
    t = threading.Thread(
        target=lambda: got.setdefault(
            "status", composehook.read_verdict(composehook.open_for_verdict(fifo))
        ),
        daemon=True,
    )
    t.start()
    return t, got


def end(harness, how: str) -> None:
    harness.stdin.write(how + "\n")
    harness.stdin.close()
    harness.wait(10)


def test_the_hook_ends_on_the_status_line_while_the_supervisor_stays(tmp_path):
    fifo = tmp_path / "fifo"
    harness = start_harness(fifo)
    t, got = hook_in_thread(fifo)
    harness.stdin.write("1 stay\n")
    harness.stdin.flush()
    t.join(10)
    assert got == {"status": 1} and harness.poll() is None
    end(harness, "")


def test_the_hook_gets_the_harness_status_once_it_has_ended(tmp_path):
    fifo = tmp_path / "verdict" / "fifo"
    harness = start_harness(fifo)
    t, got = hook_in_thread(fifo)
    t.join(0.3)
    assert t.is_alive(), "the hook must wait while the harness runs"
    end(harness, "1")
    t.join(10)
    assert got == {"status": 1}


def test_a_hook_that_starts_before_the_harness_waits_for_it(tmp_path):
    fifo = tmp_path / "fifo"
    t, got = hook_in_thread(fifo)  # makes the FIFO, blocks in open()
    harness = start_harness(fifo)
    end(harness, "0")
    t.join(10)
    assert got == {"status": 0}


def test_a_harness_that_crashes_or_is_killed_leaves_no_verdict_and_the_hook_ends(tmp_path):
    for how in ("crash", "kill"):
        fifo = tmp_path / how
        harness = start_harness(fifo)
        # the hook's end is open before the harness ends (open() returns: the harness holds the FIFO);
        # opened in a thread, it raced the crash and could wait for a writer that was already gone
        hook_end = composehook.open_for_verdict(fifo)
        got: dict[str, int | None] = {}
        t = threading.Thread(
            target=lambda got=got, f=hook_end: got.setdefault(
                "status", composehook.read_verdict(f)
            ),
            daemon=True,
        )
        t.start()
        end(harness, how)
        t.join(10)
        assert not t.is_alive() and got == {"status": None}, how
        assert harness.returncode == (1 if how == "crash" else -signal.SIGKILL)


def test_without_a_hook_the_harness_does_not_block(tmp_path):
    harness = start_harness(tmp_path / "fifo")  # under 'docker compose run' nobody reads
    end(harness, "2")
    assert harness.returncode == 0


def test_garbage_is_no_verdict(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    t, got = hook_in_thread(fifo)
    fd = os.open(fifo, os.O_WRONLY)  # blocks until the hook has it open
    os.write(fd, b"ok\n")
    os.close(fd)
    t.join(10)
    assert got == {"status": None}


def test_the_hooks_exit_status_and_line(tmp_path, monkeypatch, capsys):
    fifo = tmp_path / "fifo"
    monkeypatch.setenv(composehook.FIFO_ENV, str(fifo))
    harness = start_harness(fifo)
    threading.Timer(0.2, end, (harness, "1")).start()
    assert composehook.main(["wait"]) == 1
    assert capsys.readouterr().out == "verdict: a check failed (exit 1)\n"
    harness = start_harness(fifo)
    threading.Timer(0.2, end, (harness, "kill")).start()
    assert composehook.main(["wait"]) == composehook.NO_VERDICT != 0
    assert "ended without a verdict" in capsys.readouterr().out


def test_usage(capsys, monkeypatch):
    monkeypatch.delenv(composehook.FIFO_ENV, raising=False)
    assert composehook.main(["nonsense"]) == 2
    assert composehook.main(["wait"]) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and composehook.FIFO_ENV in err


def test_exit_status_of_a_child_killed_by_a_signal():
    assert composehook.exit_status(1) == 1 and composehook.exit_status(0) == 0
    assert (
        composehook.exit_status(-signal.SIGKILL) == 137
        and composehook.exit_status(-signal.SIGTERM) == 143
    )


class Engine:
    """The engine's answers, one per look (the last one repeats), and a clock that moves POLL_S per pause."""

    def __init__(self, *views, running=()):
        self.views, self.running, self.now, self.looks = list(views), list(running), 0.0, 0

    def look(self):
        self.looks += 1
        return self.views.pop(0) if len(self.views) > 1 else self.views[0]

    def exec_running(self, exec_id):
        self.looks += 1
        return self.running.pop(0) if len(self.running) > 1 else self.running[0]

    def clock(self):
        return self.now

    def pause(self, s):
        self.now += s


def find_hook(e: Engine):
    return composehook.find_hook(0.0, look=e.look, clock=e.clock, pause=e.pause)


def await_end(e: Engine, execs):
    return composehook.await_end(execs, running=e.exec_running, clock=e.clock, pause=e.pause)


def test_the_supervisor_finds_the_hook_once_it_runs_and_waits_for_its_end():
    from proclab.engine import SelfView

    e = Engine(SelfView(False, []), SelfView(False, []), SelfView(False, ["x1"]))
    assert find_hook(e) == (["x1"], "the hook runs") and e.looks == 3
    e = Engine(running=[True, True, False])
    assert await_end(e, ["x1"]) == "the hook has ended" and e.looks == 3


def test_the_supervisor_does_not_wait_under_compose_run_or_outside_a_container():
    from proclab.engine import SelfView

    e = Engine(SelfView(True, []))
    assert find_hook(e) == ([], "docker compose run: no hook") and e.looks == 1
    e = Engine(None)
    assert find_hook(e) == ([], "not in a container the engine knows") and e.looks == 1


def test_the_supervisor_gives_up_on_a_hook_that_never_starts_or_never_ends():
    from proclab.engine import SelfView

    e = Engine(SelfView(False, []))
    execs, why = find_hook(e)
    assert execs == [] and why.startswith("no hook started within")
    assert composehook.HOOK_START_S <= e.now < composehook.HOOK_START_S + 1
    e = Engine(running=[True])
    assert await_end(e, ["x1"]).startswith("the hook still runs after")
    assert composehook.HOOK_END_S <= e.now < composehook.HOOK_END_S + 1


def test_the_supervisor_runs_the_cli_and_hands_its_status_to_the_hook(tmp_path):
    """python3 -m proclab.composehook harness --help: the real supervisor, the CLI as its child."""
    fifo = tmp_path / "fifo"
    t, got = hook_in_thread(fifo)
    # a subprocess: the compose supervisor runs the CLI as its child process and reports its status
    sup = subprocess.run(
        [sys.executable, "-m", "proclab.cli.composehook", "harness", "run", "no-such-lab"],
        env={**os.environ, composehook.FIFO_ENV: str(fifo)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    t.join(10)
    assert sup.returncode == 2 and got == {"status": 2}, sup.stderr
    assert "no lab named 'no-such-lab'" in sup.stdout + sup.stderr
