"""labkit's checkpoint has its FIFO's read end open before the harness hears of it.

The resident probe can read an announcement, snapshot and release within microseconds.
When labkit opened the FIFO only after writing the announcement, a scenario preempted in
between found the release already gone by (ENXIO: no reader) and waited for ever: the
soak under load caught `pipes` hanging that way. Here the announcing process is stopped
the moment its line arrives, and the release must still find a reader.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

LAB_IMAGE = Path(__file__).resolve().parents[2] / "images" / "lab"
SCENARIO = "import labkit; labkit.checkpoint('here', n=1); print('released', flush=True)"


def test_the_release_finds_a_reader_even_if_the_scenario_stops_right_after_announcing(tmp_path):
    env = dict(
        os.environ,
        PYTHONPATH=str(LAB_IMAGE),
        PROCLAB_HARNESS="1",
        PROCLAB_CHECKPOINT_DIR=str(tmp_path),
    )
    child = subprocess.Popen([sys.executable, "-c", SCENARIO], stdout=subprocess.PIPE, env=env)
    try:
        line = child.stdout.readline().decode()
        os.kill(child.pid, signal.SIGSTOP)  # frozen right after the announcement
        assert line.startswith("\x1e@proclab:checkpoint "), line
        fifo = line.split('"fifo": "')[1].split('"')[0]
        fd = os.open(
            fifo, os.O_WRONLY | os.O_NONBLOCK
        )  # what labkit.probe.release does: ENXIO if no reader
        os.write(fd, b"go\n")
        os.close(fd)
        os.kill(child.pid, signal.SIGCONT)
        assert child.stdout.readline() == b"released\n"
        assert child.wait(timeout=30) == 0
        assert not os.path.exists(fifo)
    finally:
        child.kill()
        child.wait()


def test_a_checkpoint_waits_until_released(tmp_path):
    """No writer yet means no POLLHUP on Linux: the scenario really waits for the harness."""
    env = dict(
        os.environ,
        PYTHONPATH=str(LAB_IMAGE),
        PROCLAB_HARNESS="1",
        PROCLAB_CHECKPOINT_DIR=str(tmp_path),
    )
    child = subprocess.Popen([sys.executable, "-c", SCENARIO], stdout=subprocess.PIPE, env=env)
    try:
        line = child.stdout.readline().decode()
        fifo = line.split('"fifo": "')[1].split('"')[0]
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)  # held: it has not gone past the checkpoint
        state = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "S"
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, b"go\n")
        os.close(fd)
        assert child.stdout.readline() == b"released\n" and child.wait(timeout=30) == 0
    finally:
        child.kill()
        child.wait()


SPIN_THEN_SLEEP = """
import sys, time
print("announced", flush=True)        # like labkit's announcement ...
end = time.thread_time() + 0.3
while time.thread_time() < end:       # ... then still on the CPU for a while before it sleeps
    pass
sys.stdin.read()
"""


def test_the_probe_waits_until_the_announcer_sleeps():
    """The probe's first look is at the announcing thread: it snapshots only once that is off the
    CPU, so psutil cannot see the announcer R where top, a moment later, sees it S."""
    sys.path.insert(0, str(LAB_IMAGE))
    try:
        from labkit.probe import wait_held
    finally:
        sys.path.remove(str(LAB_IMAGE))
    child = subprocess.Popen(
        [sys.executable, "-c", SPIN_THEN_SLEEP], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout.readline() == b"announced\n"
        wait_held(f"{child.pid}/{child.pid}", timeout=60)
        state = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "S", f"the probe went ahead while the announcer was {state}"
    finally:
        child.kill()
        child.wait()
