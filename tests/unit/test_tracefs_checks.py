"""Why there is no kernel record, said before any container exists; whose stale instances a sweep may remove."""

from __future__ import annotations

import os
import socket

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


def test_an_instance_names_its_owner_and_only_a_dead_owners_is_stale() -> None:
    me = psutil.Process()
    name = tracefs.instance_name("tree")
    assert name.endswith(f"-tree-{me.pid}-{int(me.create_time())}-{socket.gethostname()[:24]}")
    assert not tracefs._owner_dead(name)
    assert tracefs._owner_dead(name.replace(f"-{me.pid}-", "-4194304-"))  # no such pid
    assert not tracefs._owner_dead(
        name.replace(socket.gethostname()[:24], "other-host")
    )  # not ours to judge
    assert not tracefs._owner_dead("proclab-something-else")


def test_without_root_the_reason_is_root(monkeypatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert (
        tracefs.why_not()
        == "proclab is not running as root, and the kernel's tracing (tracefs) needs root"
    )
