"""Why there is no kernel record, said before any container exists; whose stale instances a sweep may remove."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import psutil
import pytest

from proclab.engine import tracefs


def test_a_remote_engine_has_no_record_here(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.5:2376")
    assert tracefs.why_not() == (
        "the Docker engine is remote (DOCKER_HOST=tcp://10.0.0.5:2376): "
        "its processes are not this machine's"
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="as root, the next reason is tracefs itself")
def test_a_missing_tracefs_or_tracepoint_is_named(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setenv(tracefs.ROOT_ENV, str(tmp_path / "nowhere"))
    assert tracefs.why_not() == f"tracefs is not mounted at {tmp_path / 'nowhere'}"
    (tmp_path / "instances").mkdir()
    monkeypatch.setenv(tracefs.ROOT_ENV, str(tmp_path))
    assert tracefs.why_not().startswith("this kernel has no tracepoint sched/sched_process_fork")


def _start_ticks_of_me() -> int:
    """Field 22 of /proc/self/stat: when this process started, in clock ticks since boot."""
    stat = open("/proc/self/stat").read()
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def test_an_instance_names_its_owner_and_only_a_dead_owners_is_stale() -> None:
    """The owner's start is in clock ticks since boot, not wall-clock seconds: btime moves when the
    clock is set (11 s during one CI run here), and a live harness's instances would look stale."""
    me = psutil.Process()
    ticks = _start_ticks_of_me()
    name = tracefs.instance_name("tree")
    assert name.endswith(f"-tree-{me.pid}-{ticks}-{socket.gethostname()[:24]}")
    assert not tracefs._owner_dead(name)
    assert tracefs._owner_dead(name.replace(f"-{ticks}-", f"-{ticks + 1}-"))  # another process
    assert tracefs._owner_dead(name.replace(f"-{me.pid}-", "-4194304-"))  # no such pid
    assert not tracefs._owner_dead(
        name.replace(socket.gethostname()[:24], "other-host")
    )  # not ours to judge
    assert not tracefs._owner_dead("proclab-something-else")


def test_a_harness_owner_label_is_its_start_in_ticks_and_an_older_label_still_reads() -> None:
    from proclab import engine

    host, pid = socket.gethostname(), os.getpid()
    assert engine.owner() == f"{host}:{pid}:t{_start_ticks_of_me()}"
    assert engine.owner_alive(engine.owner())
    assert not engine.owner_alive(f"{host}:{pid}:t{_start_ticks_of_me() + 1}")  # a reused pid
    assert not engine.owner_alive(f"{host}:4194304:t1")  # no such pid
    older = f"{host}:{pid}:{psutil.Process().create_time():.2f}"  # labels made before this change
    assert engine.owner_alive(older) and not engine.owner_alive(f"{host}:{pid}:1000.00")


def test_without_root_the_reason_is_root(monkeypatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert (
        tracefs.why_not()
        == "proclab is not running as root, and the kernel's tracing (tracefs) needs root"
    )


def test_an_owner_that_is_a_zombie_is_dead() -> None:
    """A harness a test killed and did not wait for stays a zombie, with its pid and start: its
    containers and instances were kept from every later sweep (CI's LEAK after a hung Ctrl-C test)."""
    from proclab import engine
    from proclab.engine import hostproc

    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        ticks = hostproc.start_ticks(child.pid, hostproc.OWN_PROC)
        label = f"{socket.gethostname()}:{child.pid}:t{ticks}"
        instance = f"proclab-1-tree-{child.pid}-{ticks}-{socket.gethostname()[:24]}"
        assert engine.owner_alive(label) and not tracefs._owner_dead(instance)
        child.stdin.close()  # it ends; unwaited, it is a zombie
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, and left unreaped
        assert open(f"/proc/{child.pid}/stat").read().split(") ")[1][0] == "Z"
        assert hostproc.start_ticks(child.pid, hostproc.OWN_PROC) == ticks  # still there
        assert not engine.owner_alive(label) and tracefs._owner_dead(instance)
    finally:
        child.wait()
