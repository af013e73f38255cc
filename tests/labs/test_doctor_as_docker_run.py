"""proclab doctor runs an image as 'docker run IMAGE' runs it (issue 35): `docker inspect` of a
container the doctor made, compared field by field with one the docker CLI made from the same
image and options; only the documented differences (docs/doctor.md: the doctor's additions, a
bounded log, a detached start) remain."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from proclab import engine
from proclab.doctor.model import DoctorOptions
from proclab.doctor.session import Session
from tests.support.doctor import gallery_spec
from tests.support.tinylab import containers_of

pytestmark = [pytest.mark.lab, pytest.mark.docker]

# documented in docs/doctor.md ("What the doctor adds"), each with its option
ADDED = {"PidsLimit", "Memory", "MemorySwap", "NetworkMode", "LogConfig"}
DETACHED = {"AttachStdout", "AttachStderr", "Hostname"}  # docker run -d; a random hostname each
COMPARED = {
    "HostConfig": ("CapAdd", "CapDrop", "SecurityOpt", "ReadonlyRootfs", "Init"),
    "Config": ("User", "StopSignal", "Entrypoint", "Cmd", "Env"),
}


@pytest.fixture(scope="module")
def image(docker_engine):
    if not shutil.which("docker"):
        pytest.fail("the docker CLI is not installed (apt-get install docker.io or docker-ce-cli)")
    return engine.images.build(gallery_spec("as-user"))


def _same(value):
    """Empty and absent mean the same to the engine (docker-py sends null, the CLI [] or {})."""
    if value in ([], {}, "", None):
        return None
    if (
        isinstance(value, dict) and value.get("Name") == ""
    ):  # RestartPolicy: "" and "no" are both none
        return {**value, "Name": "no"}
    return value


def pair(image: str, cli_args: list[str], opts: DoctorOptions) -> tuple[dict, dict]:
    s = Session(opts, "inspect")
    labels = [f"--label={k}={v}" for k, v in engine.labels(lab="doctor").items()]
    made = subprocess.run(
        ["docker", "run", "-d", *labels, *cli_args, image], capture_output=True, text=True
    )
    try:
        assert made.returncode == 0, made.stderr
        inspected = subprocess.run(
            ["docker", "inspect", made.stdout.strip()], capture_output=True, text=True, check=True
        ).stdout
        theirs = json.loads(inspected)[0]  # not proclab's: docker inspect's
        return s.c.inspect(), theirs
    finally:
        s.remove()
        if made.stdout.strip():
            subprocess.run(["docker", "rm", "-f", made.stdout.strip()], capture_output=True)


def differences(mine: dict, theirs: dict) -> dict[str, set[str]]:
    return {
        sec: {
            k
            for k in set(mine[sec]) | set(theirs[sec])
            if _same(mine[sec].get(k)) != _same(theirs[sec].get(k))
        }
        for sec in ("HostConfig", "Config")
    }


@pytest.mark.parametrize(
    "cli, opts",
    [
        ([], {}),
        (
            [
                "--cap-drop",
                "KILL",
                "--cap-add",
                "SYS_PTRACE",
                "--read-only",
                "--init",
                "--user",
                "65534:65534",
                "--security-opt",
                "no-new-privileges",
                "--stop-signal",
                "SIGINT",
                "-e",
                "MODE=x",
            ],
            dict(
                cap_drop=("CAP_KILL",),
                cap_add=("CAP_SYS_PTRACE",),
                read_only=True,
                init=True,
                user="65534:65534",
                security_opt=("no-new-privileges",),
                stop_signal="SIGINT",
                env={"MODE": "x"},
            ),
        ),
    ],
    ids=["plain", "with docker run's options"],
)
def test_the_doctors_container_is_what_docker_run_makes(image, cli, opts):
    mine, theirs = pair(image, cli, DoctorOptions(image, **opts))
    for sec, fields in COMPARED.items():
        for k in fields:
            assert _same(mine[sec].get(k)) == _same(theirs[sec].get(k)), (
                sec,
                k,
                mine[sec].get(k),
                theirs[sec].get(k),
            )
    diff = differences(mine, theirs)
    assert diff["HostConfig"] <= ADDED and diff["Config"] <= DETACHED, diff
    if (
        not cli
    ):  # the image's own USER and STOPSIGNAL, Docker's default capabilities, no security option
        assert mine["Config"]["User"] == "nobody" and mine["Config"]["StopSignal"] == "SIGUSR1"
        assert not mine["HostConfig"].get("CapDrop") and not mine["HostConfig"].get("SecurityOpt")
        assert not mine["HostConfig"]["ReadonlyRootfs"] and not mine["HostConfig"].get("Init")
    else:
        assert mine["HostConfig"]["CapDrop"] == ["CAP_KILL"] and mine["HostConfig"]["Init"] is True
    assert mine["HostConfig"]["PidsLimit"] == 512 and mine["HostConfig"]["NetworkMode"] == "none"
    assert containers_of("doctor") == []
