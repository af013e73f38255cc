"""proclab run --step and proclab shell, driven through a real pseudo-terminal (pexpect):
the learner stops at the zombie, finds it with their own ps, and the run goes on."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from pathlib import Path

import pexpect
import pytest

from proclab import engine

pytestmark = [pytest.mark.lab, pytest.mark.docker]

PROCLAB = str(Path(sys.executable).with_name("proclab"))
ASK = re.compile(r"\[q\]uit > ")
SHELL_PROMPT = r"\[zombies@zombie-created\] \$ "
WAIT_S = 90  # the image may be checked, and the host is shared


def spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1"}  # no escape codes between words
    child = pexpect.spawn(
        PROCLAB, list(args), env=env, encoding="utf-8", timeout=WAIT_S, dimensions=(50, 200)
    )
    child.logfile_read = sys.stdout if os.environ.get("PROCLAB_TEST_PTY_LOG") else None
    return child


def words(text: str) -> str:
    """The narration with its line wrapping undone."""
    return " ".join(text.split())


def own_containers(child: pexpect.spawn) -> list[str]:
    """The containers the proclab process behind this pty made (its owner label names its pid)."""
    mine = f"{socket.gethostname()}:{child.pid}:"
    return [
        c.name
        for c in engine.proclab_containers(lab="zombies")
        if c.labels.get(engine.OWNER_LABEL, "").startswith(mine)
    ]


def stop_at_zombie(child: pexpect.spawn) -> tuple[int, int]:
    """Up to the first prompt: (the parent's pid, the zombie's pid) from the checkpoint's line."""
    child.expect(r"checkpoint zombie-created\s+parent=(\d+) child=(\d+)")
    parent, zombie = int(child.match.group(1)), int(child.match.group(2))
    child.expect(ASK)
    return parent, zombie


def open_shell(child: pexpect.spawn) -> None:
    child.sendline("s")
    child.expect(SHELL_PROMPT)


def test_step_shell_sees_the_zombie_and_the_lab_passes(lab_image):
    child = spawn("run", "zombies", "--step")
    _, zombie = stop_at_zombie(child)
    open_shell(child)
    child.sendline(f"ps -o stat= -p {zombie}")
    child.expect(r"\r\n(\S+)\r\n")
    assert child.match.group(1).startswith("Z"), child.match.group(1)
    child.expect(SHELL_PROMPT)
    child.sendline("pstree -p 1 | head -3; echo pstree-exit=$?")
    child.expect(r"pstree-exit=0")
    child.sendline("exit")
    child.expect("shell closed")
    child.expect(ASK)
    child.sendline("l")  # the zombies lesson marks this checkpoint
    child.expect(r"Stop here and look")
    child.expect(ASK)
    child.sendline("t")
    child.expect(r"Tasks:.*1 zombie")
    child.expect(ASK)
    child.sendline("")  # continue: on to 'reaped'
    child.expect(r"checkpoint reaped")
    for _ in range(3):  # reaped, mp-zombie, mp-joined
        child.expect(ASK)
        child.sendline("c")
    child.expect(r"(PASSED|FAILED)  zombies")
    out = words(child.before + child.match.group(0))
    child.expect(pexpect.EOF)
    child.close()
    assert "PASSED" in out, out
    assert (
        "a shell was opened at checkpoint 'zombie-created'; the scenario's processes were the same"
        in out
    ), out
    assert child.exitstatus == 0


def test_quit_at_the_first_stop_leaves_no_container(lab_image):
    child = spawn("run", "zombies", "--step")
    stop_at_zombie(child)
    held = own_containers(child)
    assert len(held) == 1, held  # the container is there, held at the checkpoint
    child.sendline("q")
    child.expect(r"Stopped: quit at checkpoint 'zombie-created'; the lab's container was removed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not engine.find_container(held[0]), held
    assert own_containers(child) == []


def test_killing_the_parent_from_the_shell_marks_the_run_touched(lab_image):
    child = spawn("run", "zombies", "--step")
    parent, zombie = stop_at_zombie(child)
    open_shell(child)
    child.sendline(f"kill -9 {parent}; echo killed=$?")
    child.expect(r"killed=0")
    # the scenario was tini's only child: the container may stop at once, taking the shell along
    if child.expect([SHELL_PROMPT, "shell closed"]) == 0:
        child.sendline("exit")
        child.expect("shell closed")
    child.expect(ASK)
    child.sendline("c")
    child.expect(r"(PASSED|FAILED)  zombies")
    out = words(child.before + child.match.group(0))
    child.expect(pexpect.EOF)
    child.close()
    assert "FAILED" in out, out  # the scenario was killed: its later checkpoints never came
    assert re.search(
        rf"a shell was opened at checkpoint 'zombie-created'.*(pid {parent} \(python3\) gone|"
        r"container had stopped).*touched by hand",
        out,
    ), out
    assert child.exitstatus == 1
    assert own_containers(child) == []


def test_proclab_shell_opens_at_the_checkpoint_and_goes_on(lab_image):
    child = spawn("shell", "zombies", "--at", "zombie-created")
    child.expect(SHELL_PROMPT)
    child.sendline("ps -eo stat= | grep -c '^Z'")
    child.expect(r"\r\n1\r\n")
    child.sendline("exit")
    child.expect(r"PASSED  zombies")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI")
def test_step_without_a_terminal_is_one_error_line(tmp_path):
    import subprocess

    # the installed console script with a real non-terminal stdin (/dev/null): the entry point itself;
    # tests/unit/test_step_prompt.py has the same refusal in-process
    res = subprocess.run(
        [PROCLAB, "run", "zombies", "--step"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert res.stderr.strip().startswith("Error: --step needs a terminal"), res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_a_pause_longer_than_timeout_s_does_not_time_the_run_out(lab_image, tmp_path):
    """timeout_s counts the scenario's time: a learner who looks for longer is no timeout."""
    import time

    from proclab.lab.events import Observer
    from proclab.run.runner import run_lab
    from tests.support.tinylab import containers_of, write_lab

    timeout_s, pause_s = 8, 10
    lab = write_lab(
        tmp_path,
        "pause",
        """
        from labkit import checkpoint
        checkpoint("look")
        checkpoint("after")
        """,
        toml=f'title = "pause"\n[settings]\ntimeout_s = {timeout_s}\n',
    )

    class Slow(Observer):
        held_at: list[str] = []

        def holds(self, checkpoint):
            return checkpoint == "look"

        def paused(self, run, snap, held):
            self.held_at.append(held.checkpoint)
            time.sleep(
                pause_s
            )  # the condition under test: a pause longer than timeout_s (not a sync)

    obs = Slow()
    result = run_lab(lab, observer=obs)
    run = result.runs[0]
    assert obs.held_at == ["look"]
    assert containers_of(result.lab) == []
    scenario_s = run.duration_s - pause_s
    if run.timed_out and scenario_s >= timeout_s - 0.5:
        pytest.skip(
            f"inconclusive: the scenario alone took {scenario_s:.1f} s of its {timeout_s} s (a busy host)"
        )
    assert not run.timed_out and run.exit_code == 0, (
        run.error,
        run.exit_code,
        [(c.name, c.at_s) for c in run.checkpoints],
    )
    assert [cp.name for cp in run.checkpoints] == ["look", "after"]
    assert run.duration_s > pause_s and run.touched == []
