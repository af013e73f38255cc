"""Engines beside the environment's, for the engine tests: a Podman service (its socket in
PROCLAB_PODMAN_SOCKET: .ci/run starts one with .ci/podman-service) and Docker 26 in a privileged
container (PROCLAB_DOCKER26_SOCKET: bench/engines/docker26.py starts one).

A test of another engine is a skip naming the variable when it is not set: the engine is not
there to be tested, which is neither a pass nor a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from proclab import engine
from proclab.engine import baseimage, images

PODMAN_ENV = "PROCLAB_PODMAN_SOCKET"
DOCKER26_ENV = "PROCLAB_DOCKER26_SOCKET"
HOW = {
    PODMAN_ENV: "bash .ci/podman-service start DIR prints one (.ci/run does this)",
    DOCKER26_ENV: "python bench/engines/docker26.py up prints one",
}

# The labs every engine must run as on Docker 20.10 (issue 33): the process-table labs whose
# facts depend on the engine's init, stop, kill, exec and pids limit.
SUBSET = ("zombies", "orphans", "pid1", "signals", "states", "reaping", "forkbomb")


def engine_url(env: str) -> str:
    url = os.environ.get(env, "")
    if not url:
        pytest.skip(f"{env} is not set: no such engine to test here ({HOW[env]})")
    return url if "://" in url else f"unix://{url}"


def seed_base(url: str, suite: str = baseimage.SUITE) -> str:
    """Give the engine at url proclab's Debian base, copied from the environment's engine
    ('docker save | docker load'), unless it has it. proclab would debootstrap it there itself
    (a minute); the copy takes seconds and is the same image (the same id on both engines)."""
    with engine.using(url):
        wanted = baseimage.local_base(suite)
        if images._image_id(wanted):
            return wanted
    source = engine.client().images.get(baseimage.local_base(suite))
    with engine.using(url):
        engine.client().images.load(b"".join(source.save(named=True)))
        loaded = images._image_id(wanted)
    assert loaded == source.id, f"the base loaded on {url} is {loaded}, not {source.id}"
    return wanted


def ready(env: str, kind: engine.EngineKind) -> str:
    """The URL of the engine in env, checked to be of that kind, with proclab's base and lab image there."""
    url = engine_url(env)
    with engine.using(url):
        assert engine.kind() is kind, f"{env}={url} answers as {engine.info()}, not {kind}"
    seed_base(url)
    with engine.using(url):
        images.ensure("lab")
    return url


def environments_url() -> str:
    """The environment's engine (DOCKER_HOST, else the default socket) as a --engine URL."""
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def leftovers() -> list[str]:
    """proclab containers on this thread's engine made by this test process."""
    return [
        c.name
        for c in engine.proclab_containers()
        if c.labels.get(engine.OWNER_LABEL) == engine.owner()
    ]


def on_engine(url: str) -> Iterator[None]:
    """For a fixture: the test's calls go to url (its threads' too), and it leaves no container there."""
    with engine.everywhere(url):
        yield
        left = leftovers()
        for name in left:
            engine.client().containers.get(name).remove(force=True)
        assert not left, f"the test left containers on {url}: {left}"
