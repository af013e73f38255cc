"""The engine layer's pure parts for several engines: which kind answers, the names Podman must be
told, the places each engine has in a pool, the lab lock per machine, a docker context's URL (made by
the real docker client), the summary's engine column, and the exit watch on a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from proclab.engine import ContainerSpec, engines
from proclab.engine._container import PODMAN_RUN_TMPFS, PODMAN_ULIMITS
from proclab.engine.engines import EngineKind
from proclab.engine.exitwatch import ExitWatch
from proclab.errors import UsageError
from proclab.lab.result import LabResult
from proclab.run.lock import lock_path
from proclab.run.pool import Places
from proclab.ui.tables import summary_table

# the /version answers of the engines on this machine (trimmed)
DOCKER_20 = {
    "Version": "20.10.24+dfsg1",
    "ApiVersion": "1.41",
    "Components": [{"Name": "Engine", "Version": "20.10.24+dfsg1"}, {"Name": "containerd"}],
}
PODMAN_43 = {
    "Version": "4.3.1",
    "ApiVersion": "1.41",
    "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}, {"Name": "Conmon"}],
}


def test_the_kind_and_version_come_from_the_version_answer():
    assert engines.kind_of(DOCKER_20) is EngineKind.DOCKER
    assert engines.kind_of(PODMAN_43) is EngineKind.PODMAN
    assert engines.engine_version(PODMAN_43, EngineKind.PODMAN) == "4.3.1"


def test_podman_is_told_proclabs_images_by_their_local_name():
    assert engines.qualified("proclab/lab:x", EngineKind.PODMAN) == "localhost/proclab/lab:x"
    assert engines.qualified("proclab/lab:x", EngineKind.DOCKER) == "proclab/lab:x"
    assert engines.qualified("debian:bookworm-slim", EngineKind.PODMAN) == "debian:bookworm-slim"


def test_podman_containers_get_limits_it_can_set_and_a_run_of_their_own():
    spec = ContainerSpec(
        image="i", name="n", read_only=True, tmpfs={"/run/proclab": "rw,mode=1777"}
    )
    docker_kw, podman_kw = (
        spec.create_kwargs(EngineKind.DOCKER),
        spec.create_kwargs(EngineKind.PODMAN),
    )
    assert "ulimits" not in docker_kw and docker_kw["tmpfs"] == {"/run/proclab": "rw,mode=1777"}
    assert {u["Name"]: (u["Soft"], u["Hard"]) for u in podman_kw["ulimits"]} == {
        n: (v, v) for n, v in PODMAN_ULIMITS.items()
    }
    assert podman_kw["tmpfs"] == {"/run": PODMAN_RUN_TMPFS, "/run/proclab": "rw,mode=1777"}
    writable = ContainerSpec(image="i", name="n", tmpfs={"/run/proclab": "rw"}).create_kwargs(
        EngineKind.PODMAN
    )
    assert "/run" not in writable["tmpfs"]  # Podman adds no /run of its own without --read-only


def test_each_engine_has_its_places_and_the_next_lab_goes_to_the_freest():
    p = Places(["a", "b"], 2)
    assert [p.take() for _ in range(5)] == ["a", "b", "a", "b", None]
    p.give_back("b")
    assert p.take() == "b" and p.take() is None


def test_the_lab_lock_is_the_machines(monkeypatch, tmp_path):
    monkeypatch.setenv("PROCLAB_LOCK", str(tmp_path / "labs.lock"))
    host = lock_path()
    assert lock_path("unix:///tmp/podman.sock") == host  # a local engine shares the host's CPUs
    remote = lock_path("ssh://me@lab1")
    assert remote != host and remote.parent == host.parent and remote != lock_path("ssh://me@lab2")


def test_a_docker_context_name_is_its_endpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    subprocess.run(
        ["docker", "context", "create", "lab1", "--docker", "host=ssh://me@lab1.example"],
        check=True,
        capture_output=True,
        env={**os.environ, "DOCKER_CONFIG": str(tmp_path)},
    )
    assert engines.base_url("lab1") == "ssh://me@lab1.example"
    assert engines.base_url("unix:///x.sock") == "unix:///x.sock"
    monkeypatch.setenv("DOCKER_HOST", "unix:///y.sock")
    assert engines.base_url("default") == "unix:///y.sock"  # the client's built-in context
    with pytest.raises(UsageError, match="no docker context of that name"):
        engines.base_url("lab2")


def test_the_summary_names_the_engine_only_when_there_were_several():
    def table(*where):
        results = [
            LabResult(lab=f"l{i}", title="t", path="p", engine=e) for i, e in enumerate(where)
        ]
        return [c.header for c in summary_table(results).columns]

    assert "engine" not in table("podman 4.3.1", "podman 4.3.1")
    assert table("unix:///a", "ssh://b")[-1] == "engine"


def test_the_exit_watch_sees_the_process_end_before_anyone_reaps_it():
    proc = subprocess.Popen(["sleep", "30"])
    watch = ExitWatch(proc.pid)
    t = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    while _state(proc.pid) != "Z":  # ended, and not reaped: as when an engine reports late
        pass
    ended = watch.ended_at(timeout=10)
    assert _state(proc.pid) == "Z"  # still unreaped: the watch woke for the exit itself
    proc.wait()
    assert ended is not None and ended >= t, ended


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def test_no_exit_watch_for_a_process_not_here():
    assert ExitWatch(0).ended_at() is None
