"""The engines learners have besides Docker 20.10: Podman (``-m podman``, against the service in
PROCLAB_PODMAN_SOCKET) and Docker 26 (``-m docker26``, PROCLAB_DOCKER26_SOCKET). On each, proclab
builds its images there (from the base, never a registry), and the process-table labs and a doctor
gallery case give the same verdicts as on Docker 20.10. Without the variable the engine's tests
are skips naming it (tests/support/engines.py)."""

from __future__ import annotations

import pytest

from proclab import engine, run_lab
from proclab.engine import EngineKind, baseimage, images
from tests.support import engines
from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.verdicts import assert_passed

pytestmark = [pytest.mark.lab, pytest.mark.docker]

# two of the doctor's gallery cases (tests/labs/test_doctor_gallery.py has them all, on the host's
# engine): whether the image passes, docker stop's exit code, and the verdicts that tell them apart
GALLERY_DIR = "tests/labs/data/doctor-gallery"
GRACE = 2
DOCTOR_CASES = {
    "python-pid1": (False, 137, {"docker stop": "problem", "reaping": "problem"}),
    "tini": (True, 143, {"docker stop": "ok", "reaping": "ok"}),
}

ENGINES = [
    pytest.param((engines.PODMAN_ENV, EngineKind.PODMAN), id="podman", marks=pytest.mark.podman),
    pytest.param(
        (engines.DOCKER26_ENV, EngineKind.DOCKER), id="docker26", marks=pytest.mark.docker26
    ),
]


@pytest.fixture(scope="module", params=ENGINES)
def other(request):
    """(url, kind) of the engine under test, with proclab's base and lab image built there."""
    env, kind = request.param
    return engines.ready(env, kind), kind


@pytest.fixture
def on(other):
    yield from engines.on_engine(other[0])


def test_images_are_built_there_under_names_it_resolves(other, on):
    url, kind = other
    lab = images.IMAGES["lab"].tag
    prefix = "localhost/" if kind is EngineKind.PODMAN else ""
    assert lab.startswith(f"{prefix}proclab/lab:"), lab
    assert baseimage.local_base() == f"{prefix}proclab/base:bookworm"
    img = engine.client().images.get(lab)
    assert lab in img.tags, img.tags  # stored under that name, not docker.io/proclab/...
    ok, digest = images.current(images.IMAGES["lab"])
    assert ok and img.labels[images.INPUTS_LABEL] == digest


@pytest.mark.parametrize("name", engines.SUBSET)
def test_lab_passes_there(other, on, name):
    result = run_lab(name)
    info = engine.info()
    assert result.engine == info.label and info.kind is other[1]
    assert_passed(result)
    left = {r.container for r in result.runs} & {c.name for c in engine.proclab_containers()}
    assert not left, f"containers left behind on {other[0]}: {left}"


def test_pid1_names_the_engines_own_init(other, on):
    """Docker's --init is docker-init (tini); Podman's is podman-init (catatonit): the same job."""
    result = run_lab("pid1", variants=["init"])
    cp = result.checkpoint("orphan-1", "init")
    want = "podman-init" if other[1] is EngineKind.PODMAN else "docker-init"
    assert cp.process(1).name == want, cp.ps_line(1)


@pytest.mark.parametrize("case", DOCTOR_CASES)
def test_doctor_gallery_case_there(other, on, case):
    passed, stop_code, wanted = DOCTOR_CASES[case]
    images.ensure("doctor")
    image = images.build(
        images.ImageSpec(
            f"doctor-gallery-{case}", f"{GALLERY_DIR}/Dockerfile", (GALLERY_DIR,), target=case
        )
    )
    res = run_cli("doctor", "-t", str(GRACE), "--json", image)
    doc = printed(res.stdout)
    got = {
        prefix: c["figures"]["verdict"]
        for c in doc["checks"]
        for prefix in wanted
        if c["name"].startswith(prefix)
    }
    assert got == wanted and doc["passed"] is passed and res.returncode == (0 if passed else 1), (
        res.stdout
    )
    stop = next(a for a in doc["runs"][0]["actions"] if a["do"] == "stop")
    assert stop["exit_code"] == stop_code and stop["grace_s"] == GRACE, stop
    if stop_code == 137:
        assert stop["took_s"] >= GRACE  # SIGKILLed at the end of the grace period
