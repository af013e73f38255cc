"""hostproc reads the host's /proc as psutil does (here both read this machine's /proc)."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from proclab.engine import hostproc


def test_create_time_and_nspid_agree_with_psutil():
    """In seconds since boot, which no clock change moves: psutil adds the btime it reads at each
    call, hostproc the one it read first, and btime moved 11 s between the two during one CI run."""
    me = os.getpid()
    since_boot = psutil.Process(me).create_time() - psutil.boot_time()
    assert abs(hostproc.start_ticks(me) / os.sysconf("SC_CLK_TCK") - since_boot) < 0.02
    assert hostproc.create_time(me) == hostproc._boot_time() + hostproc.start_ticks(
        me
    ) / os.sysconf("SC_CLK_TCK")
    assert hostproc.nspid(me)[-1] == me and me in hostproc.pids()
    assert hostproc.pid_max() >= max(hostproc.pids())


def test_alive_tells_a_process_from_its_end_and_from_a_reused_pid():
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    started = hostproc.create_time(child.pid)
    assert hostproc.alive(child.pid, started)
    assert not hostproc.alive(child.pid, started - 5)  # same pid, another start: another process
    child.communicate(b"")
    assert not hostproc.alive(child.pid, started) and hostproc.create_time(child.pid) is None


def test_another_root_is_read_from(tmp_path, monkeypatch):
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "status").write_text("Name:\tx\nNSpid:\t42\t7\n")
    (tmp_path / "notapid").mkdir()
    monkeypatch.setenv(hostproc.ENV, str(tmp_path))
    assert (
        hostproc.pids() == [42]
        and hostproc.nspid(42) == [42, 7]
        and hostproc.read(43, "status") is None
    )
