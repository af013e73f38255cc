"""proclab doctor's gallery for the lab tests: its images (tests/labs/data/doctor-gallery, one
stage each, built once and reused while current) and the CLI run in-process with --json."""

from __future__ import annotations

from proclab.engine import images
from tests.support.cli import run_cli
from tests.support.documents import printed

GALLERY_DIR = "tests/labs/data/doctor-gallery"
GRACE = 2
KEYS = {
    "who is pid 1": "pid1",
    "zombies at rest": "zombies",
    "reaping": "reaping",
    "signal masks": "masks",
    "docker stop": "stop",
    "SIGINT": "sigint",
    "signal forwarding": "forwarding",
    "what the doctor added": "limits",
    "the kernel's record": "kernel",
    "as a Kubernetes pod": "k8s",
}


def gallery_spec(stage: str) -> images.ImageSpec:
    return images.ImageSpec(
        f"doctor-gallery-{stage}", f"{GALLERY_DIR}/Dockerfile", (GALLERY_DIR,), target=stage
    )


def build_gallery(stages: set[str]) -> dict[str, str]:
    """The gallery's images (current ones are reused) and the doctor's helper image: stage -> tag."""
    images.ensure("doctor")
    return {stage: images.build(gallery_spec(stage)) for stage in stages}


def doctor(*args: str) -> tuple[int, dict, str]:
    res = run_cli("doctor", "-t", str(GRACE), "--json", *args)
    assert res.stdout.strip(), res.stderr
    return res.returncode, printed(res.stdout), res.stderr


def by_key(doc: dict) -> dict[str, dict]:
    return {
        next(k for prefix, k in KEYS.items() if c["name"].startswith(prefix)): c
        for c in doc["checks"]
    }
