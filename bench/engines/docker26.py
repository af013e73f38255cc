"""Docker 26 (Debian 13's docker.io) in a privileged container, its socket published on the host:
a second, current Docker engine to run proclab's labs on (issue 33, docs/engines.md).

    python bench/engines/docker26.py up          # prints unix:///tmp/proclab-docker26-XXXX/docker.sock
    python bench/engines/docker26.py down URL    # removes the container and the folder
    python bench/engines/docker26.py test        # up, pytest -m docker26 against it, down; timed

The engine image is built (once) on the host's engine from proclab/base:trixie, debootstrapped
like proclab/base:forky. The container shares the host's pid namespace, so 'docker top' on the
inner engine lists host pids as proclab's host view expects. It is not --privileged (runc cannot
grant a capability the host's bounding set lacks): it has every capability the host has, and the
host's cgroup hierarchy bind-mounted writable (the mounts themselves are left as they are); the
inner engine puts its containers' cgroups under a parent named after the container, beside the
host engine's 'docker', and 'down' removes those (empty) cgroups. Its data root is a volume
removed with the container; the socket's folder is removed by 'down'.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker
import docker.errors
import docker.types

from proclab import engine
from proclab.engine import images

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.support.engines, when run as a script

SPEC = images.ImageSpec(
    "docker26", "bench/engines/docker26/Dockerfile", ("bench/engines/docker26",), suite="trixie"
)
SOCKET_DIR = "/run/published"  # where the inner engine's socket is, inside the container
PREFIX = "proclab-docker26-"
UP_WITHIN_S = 120
# Every capability but CAP_SYS_RESOURCE: --privileged asks for all of them, and where the host's
# own bounding set lacks one (this machine's lacks CAP_SYS_RESOURCE) runc refuses to start it.
# (Docker 20.10 knows no BPF, PERFMON or CHECKPOINT_RESTORE; Docker 26 inside needs none of them.)
CAPS = [
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
]


def up(progress=print) -> str:
    """Start the engine; its socket URL once it answers."""
    tag = images.build(
        SPEC, lambda line: progress(f"  {line}") if "up to date" not in line else None
    )
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    name = folder.name
    try:
        cont = engine.client().containers.create(
            tag,
            [
                "dockerd",
                "--host",
                f"unix://{SOCKET_DIR}/docker.sock",
                "--storage-driver=overlay2",
                f"--cgroup-parent=/{name}",
            ],
            # /proc/sys is read-only in a container that is not --privileged: the bridge's veth keeps IPv6
            environment={"DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE": "1"},
            name=name,
            detach=True,
            cap_add=CAPS,
            security_opt=["seccomp=unconfined", "apparmor=unconfined"],
            pid_mode="host",
            labels=engine.labels(kind="docker26", keep="1", lab="docker26"),
            volumes={
                str(folder): {"bind": SOCKET_DIR, "mode": "rw"},
                "/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"},
            },
            mounts=[docker.types.Mount("/var/lib/docker", None, type="volume")],
            tmpfs={"/run": "rw,size=64m"},
        )
        cont.start()
    except docker.errors.APIError as err:
        down(url_of(folder))
        raise SystemExit(
            f"the Docker 26 container did not start: {err.explanation or err}"
        ) from None
    url = url_of(folder)
    deadline = time.monotonic() + UP_WITHIN_S
    while time.monotonic() < deadline:
        cont.reload()
        if cont.status != "running":
            logs = cont.logs(tail=20).decode(errors="replace")
            down(url)
            raise SystemExit(f"the Docker 26 container ended ({cont.status}); its log:\n{logs}")
        if (folder / "docker.sock").exists():
            try:
                with engine.using(url):
                    engine.client()
                    progress(
                        f"Docker {engine.info().version} (API {engine.info().api_version}) answers at {url}"
                    )
                    return url
            except Exception:  # not answering yet
                pass
        time.sleep(0.5)
    down(url)
    raise SystemExit(f"Docker 26 did not answer at {url} within {UP_WITHIN_S} s")


def url_of(folder: Path) -> str:
    return f"unix://{folder}/docker.sock"


def down(url: str) -> None:
    """Remove the container that serves url (and its data volume), the cgroups its engine made
    for its containers (empty once they are gone), and the socket's folder."""
    folder = Path(url.removeprefix("unix://")).parent
    if not folder.name.startswith(PREFIX):
        raise SystemExit(
            f"{url} is not a socket this script published (they are under {tempfile.gettempdir()}/{PREFIX}*)"
        )
    for c in engine.client().containers.list(
        all=True, filters={"name": folder.name, "label": "proclab.kind=docker26"}
    ):
        c.remove(force=True, v=True)
    for parent in Path("/sys/fs/cgroup").glob(f"*/{folder.name}"):
        for d in sorted(
            (p for p in parent.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)
        ) + [parent]:
            try:
                d.rmdir()
            except OSError:
                pass
    shutil.rmtree(folder, ignore_errors=True)


def test(pytest_args: list[str]) -> int:
    t0 = time.monotonic()
    url = up()
    t1 = time.monotonic()
    try:
        env = {**os.environ, "PROCLAB_DOCKER26_SOCKET": url}
        code = subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                "docker26",
                "-p",
                "no:cacheprovider",
                "tests/labs/test_other_engines.py",
                *pytest_args,
            ],
            cwd=ROOT,
            env=env,
        )
    finally:
        t2 = time.monotonic()
        down(url)
    print(
        f"docker26: up {t1 - t0:.1f} s, tests {t2 - t1:.1f} s, down {time.monotonic() - t2:.1f} s, "
        f"total {time.monotonic() - t0:.1f} s"
    )
    return code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    sub.add_parser("up", help="start Docker 26 and print its socket's URL")
    d = sub.add_parser("down", help="remove the Docker 26 container serving URL")
    d.add_argument("url")
    t = sub.add_parser("test", help="up, pytest -m docker26 against it, down")
    t.add_argument("pytest_args", nargs="*")
    args = ap.parse_args()
    if args.what == "up":
        print(up(progress=lambda line: print(line, file=sys.stderr)))
        return 0
    if args.what == "down":
        down(args.url)
        return 0
    return test(args.pytest_args)


if __name__ == "__main__":
    raise SystemExit(main())
