"""Build proclab's images, and only when their inputs changed.

Each image is tagged ``proclab/NAME:latest`` and labelled with a hash of its
inputs (Dockerfile, context files, base image id). A build whose hash is
already there does nothing, so a second ``proclab images build`` is instant.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker.errors
import requests.exceptions

from ..errors import EnvironmentProblem, ImageBuildError, ProclabError
from ..paths import project_root
from ._calls import docker_call
from ._client import client
from .baseimage import create_local_base, local_base
from .engines import qualified, registry_image, selected

DEFAULT_BASE = "debian:bookworm-slim"
INPUTS_LABEL = "proclab.inputs"
SKIP_PARTS = {"__pycache__", ".pytest_cache"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ImageSpec:
    name: str  # proclab/<name>:latest
    dockerfile: str  # relative to the project root
    context: tuple[str, ...]  # folders/files (relative) sent as the build context
    needs_base: bool = True  # takes BASE_IMAGE as a build arg
    depends: tuple[str, ...] = field(default=())
    target: str | None = None  # one stage of a multi-stage Dockerfile
    suite: str | None = None  # built on proclab/base:<suite> (debootstrapped), never a registry's

    @property
    def tag(self) -> str:
        # PROCLAB_IMAGE_TAG lets two checkouts on one engine keep images of their own
        # (localhost/proclab/... on Podman: engines.qualified)
        return qualified(f"proclab/{self.name}:{os.environ.get('PROCLAB_IMAGE_TAG') or 'latest'}")


IMAGES: dict[str, ImageSpec] = {
    "lab": ImageSpec("lab", "images/lab/Dockerfile", ("images/lab", "labs")),
    # The same lab image on Debian forky, whose python3 is 3.14 (`proclab run --python 3.14`).
    "lab-py314": ImageSpec(
        "lab-py314", "images/lab/Dockerfile", ("images/lab", "labs"), suite="forky"
    ),
    # The ssh exploration host: FROM proclab/lab (its Dockerfile's LAB_IMAGE default).
    "explore": ImageSpec(
        "explore",
        "images/explore/Dockerfile",
        ("images/explore", "exercises"),
        needs_base=False,
        depends=("lab",),
    ),
    # proclab itself, for 'docker compose up labs' (starts sibling lab containers).
    "harness": ImageSpec(
        "harness",
        "images/harness/Dockerfile",
        ("images/harness", "images/lab", "labs", "src/proclab"),
    ),
    # a static busybox that 'proclab doctor' copies into the image it checks (never run itself)
    "doctor": ImageSpec("doctor", "images/doctor/Dockerfile", ("images/doctor",)),
}


def register(spec: ImageSpec) -> None:
    IMAGES[spec.name] = spec


def _context_files(spec: ImageSpec, root: Path) -> list[Path]:
    files: list[Path] = [root / spec.dockerfile]
    for rel in spec.context:
        p = root / rel
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files += [
                f
                for f in p.rglob("*")
                if f.is_file() and not SKIP_PARTS & set(f.parts) and f.suffix != ".pyc"
            ]
    return sorted(set(files))


def _context_tar(files: list[Path], root: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for f in files:
            info = tar.gettarinfo(str(f), arcname=str(f.relative_to(root)))
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(f, "rb") as fh:
                tar.addfile(info, fh)
    return buf.getvalue()


def _inputs_hash(files: list[Path], root: Path, base_id: str) -> str:
    h = hashlib.sha256(base_id.encode())
    for f in files:
        h.update(str(f.relative_to(root)).encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
        h.update(b"x" if os.access(f, os.X_OK) else b"-")
    return h.hexdigest()[:16]


def _image_id(ref: str) -> str | None:
    try:
        with docker_call("image inspect", ref):
            return client().images.get(ref).id
    except ProclabError:
        return None


def suite_base(suite: str, progress: Progress) -> str:
    """proclab/base:<suite>, debootstrapped here the first time (a named suite: it does not drift)."""
    ref = local_base(suite)
    if not _image_id(ref):
        create_local_base(progress, suite=suite)
    return ref


def resolve_base(progress: Progress) -> str:
    """The base image to build on: BASE_IMAGE, pulled if it can be, else made locally."""
    wanted = os.environ.get("BASE_IMAGE")
    candidate = wanted or registry_image(DEFAULT_BASE)
    if _image_id(candidate):
        return candidate
    if not wanted and _image_id(local_base()):
        return local_base()  # made here before: no need to ask a registry again
    try:
        progress(f"pulling {candidate}")
        repo, sep, tag = candidate.rpartition(":")
        if not sep or "/" in tag:  # no tag, only a registry's port
            repo, tag = candidate, "latest"
        client().images.pull(repo, tag=tag)
        return candidate
    except (docker.errors.APIError, docker.errors.DockerException) as err:
        if wanted:
            raise EnvironmentProblem(
                f"BASE_IMAGE={wanted} is not present and cannot be pulled ({getattr(err, 'explanation', None) or err}); "
                "load it with 'docker load', or unset BASE_IMAGE to let proclab create a local Debian base"
            ) from err
        progress(
            f"cannot pull {candidate}: no registry reachable; using a local debootstrapped base"
        )
    if not _image_id(local_base()):
        create_local_base(progress)
    return local_base()


def current(spec: ImageSpec) -> tuple[bool, str]:
    """(is the built image current, the inputs hash it must carry)."""
    root = project_root()
    base_id = ""
    if spec.needs_base:
        base = local_base(spec.suite) if spec.suite else os.environ.get("BASE_IMAGE")
        for ref in [base] if base else [registry_image(DEFAULT_BASE), local_base()]:
            base_id = _image_id(ref) or ""
            if base_id:
                break
    for dep in spec.depends:
        base_id += _image_id(IMAGES[dep].tag) or "missing"
    digest = _inputs_hash(_context_files(spec, root), root, base_id + (spec.target or ""))
    try:
        with docker_call("image inspect", spec.tag):
            img = client().images.get(spec.tag)
    except ProclabError:
        return False, digest
    return bool(base_id) and img.labels.get(INPUTS_LABEL) == digest, digest


def build(spec: ImageSpec, progress: Progress = lambda line: None, force: bool = False) -> str:
    """Build one image (and what it depends on) unless it is current. Returns its tag."""
    for dep in spec.depends:
        build(IMAGES[dep], progress, force)
    ok, digest = current(spec)
    if ok and not force:
        progress(f"{spec.tag} is up to date ({digest})")
        return spec.tag
    root = project_root()
    buildargs = {}
    if spec.needs_base:
        buildargs["BASE_IMAGE"] = (
            suite_base(spec.suite, progress) if spec.suite else resolve_base(progress)
        )
        ok, digest = current(spec)  # the base may have just been created
    if "lab" in spec.depends:
        buildargs["LAB_IMAGE"] = IMAGES["lab"].tag
    files = _context_files(spec, root)
    replaced = _image_id(spec.tag)
    progress(f"building {spec.tag} from {spec.dockerfile}")
    tail: list[str] = []
    api = client().api
    try:
        for chunk in api.build(
            fileobj=io.BytesIO(_context_tar(files, root)),
            custom_context=True,
            dockerfile=spec.dockerfile,
            tag=spec.tag,
            buildargs=buildargs,
            labels={"proclab": "1", INPUTS_LABEL: digest},
            rm=True,
            forcerm=True,
            target=spec.target,
            decode=True,
        ):
            if "stream" in chunk:
                for line in chunk["stream"].splitlines():
                    if line.strip():
                        tail = (tail + [line.rstrip()])[-12:]
                        progress(line.rstrip())
            if "error" in chunk:
                raise ImageBuildError(spec.tag, chunk["error"].strip().splitlines()[-1], tail)
    except docker.errors.APIError as err:
        raise ImageBuildError(spec.tag, str(err.explanation or err), tail) from err
    except requests.exceptions.RequestException as err:
        raise ImageBuildError(spec.tag, f"the engine stopped answering: {err}", tail) from err
    if replaced and replaced != _image_id(spec.tag):
        _drop(replaced)
    return spec.tag


def _drop(image_id: str) -> None:
    """Remove an image a rebuild has replaced (now untagged), unless a container still uses it."""
    try:
        with docker_call("image remove", image_id):
            client().images.remove(image_id)
    except ProclabError:
        pass  # in use, or shared with another tag: leave it


def build_all(progress: Progress = lambda line: None, force: bool = False) -> list[str]:
    return [build(spec, progress, force) for spec in IMAGES.values()]


_ensured: dict[tuple[str, str], str] = {}  # (engine, image name) -> tag


def ensure(name: str, progress: Progress = lambda line: None) -> str:
    """The tag of an image that is current, building it first if needed; checked once per process
    and engine (so 'run --all' says 'up to date' once, not once per lab)."""
    key = (selected(), name)
    if key not in _ensured:
        _ensured[key] = build(IMAGES[name], progress)
    return _ensured[key]


def remove_all() -> list[str]:
    """Remove proclab's built images (not the local base, which is slow to make)."""
    removed = []
    c = client()
    for spec in reversed(list(IMAGES.values())):
        try:
            with docker_call("image remove", spec.tag):
                c.images.remove(spec.tag, force=True)
            removed.append(f"image {spec.tag}")
        except ProclabError:
            pass
    with docker_call("image prune"):
        pruned = c.images.prune(filters={"dangling": True, "label": "proclab"})
    removed += [
        f"image {d['Deleted']}" for d in pruned.get("ImagesDeleted") or [] if d.get("Deleted")
    ]
    return removed
