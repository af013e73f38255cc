"""Create a Debian base image locally when no registry can provide one.

debootstrap ``--variant=minbase`` from the mirror the host's apt uses, with the
packages the lab images need, then ``docker import`` the tree. About a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import threads
from ..errors import EnvironmentProblem, ImageBuildError
from ._calls import docker_call
from ._client import client
from .aptmirror import debian_mirror
from .engines import EngineKind, qualified

SUITE = "bookworm"
PACKAGES = ["python3", "python3-psutil", "procps", "psmisc", "openssh-server"]
# Other suites build only lab images (no ssh exploration host on them).
SUITE_PACKAGES = {SUITE: PACKAGES}
LAB_PACKAGES = ["python3", "python3-psutil", "procps", "psmisc"]
SCRIPTS = Path("/usr/share/debootstrap/scripts")


def local_base(suite: str = SUITE, kind: EngineKind | None = None) -> str:
    """The tag of the debootstrapped base of a Debian suite: proclab/base:<suite>
    (localhost/proclab/base:<suite> on Podman, which must never look for it in a registry)."""
    return qualified(f"proclab/base:{suite}", kind)


def mirror(suite: str = SUITE) -> str:
    return os.environ.get("PROCLAB_DEBIAN_MIRROR") or debian_mirror(suite, also=(SUITE,))


def _script(suite: str) -> list[str]:
    """debootstrap knows a suite by its script; one newer than this debootstrap uses sid's."""
    return [] if (SCRIPTS / suite).exists() else [str(SCRIPTS / "sid")]


def create_local_base(
    progress: Callable[[str], None] = lambda line: None, suite: str = SUITE
) -> str:
    """debootstrap + import; returns the new image's tag."""
    tag_ref = local_base(suite)
    if os.geteuid() != 0:
        raise EnvironmentProblem(
            "creating the base image with debootstrap needs root; run 'sudo proclab images build', "
            "or set BASE_IMAGE to a Debian image you already have"
        )
    if not shutil.which("debootstrap"):
        raise EnvironmentProblem(
            "no registry gave the base image and debootstrap is not installed; "
            "install it ('apt-get install debootstrap') or set BASE_IMAGE to an image you have"
        )
    src = mirror(suite)
    packages = SUITE_PACKAGES.get(suite, LAB_PACKAGES)
    with tempfile.TemporaryDirectory(prefix="proclab-base-") as tmp:
        root = Path(tmp) / "rootfs"
        cmd = [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(packages)}",
            suite,
            str(root),
            src,
            *_script(suite),
        ]
        progress(f"debootstrap {suite} from {src} (about a minute)")
        with threads.for_a_child():  # run --jobs builds it in a lab's thread: Ctrl-C must end it
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        tail: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            tail = (tail + [line.rstrip()])[-15:]
            progress(line.rstrip())
        if proc.wait() != 0:
            raise ImageBuildError(tag_ref, f"debootstrap exited {proc.returncode}", tail)
        # Host keys baked into a shared base would be identical on every container.
        for key in (root / "etc/ssh").glob("ssh_host_*"):
            key.unlink()
        # Keep the image small: no package lists or caches.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (root / junk).glob("*"):
                if f.is_file():
                    f.unlink()
        tar_path = Path(tmp) / "rootfs.tar"
        progress("packing the root file system")
        with tarfile.open(tar_path, "w") as tar:
            for entry in sorted(root.iterdir()):
                tar.add(entry, arcname=entry.name)
        progress(f"docker import as {tag_ref}")
        repo, tag = tag_ref.rsplit(":", 1)
        with docker_call("import", tag_ref):
            client().api.import_image_from_file(
                str(tar_path),
                repository=repo,
                tag=tag,
                changes=[
                    'CMD ["/bin/bash"]',
                    "LABEL proclab=1 proclab.kind=base",
                    "ENV LANG=C.UTF-8",
                ],
            )
    return tag_ref
