"""Every built-in lab on the second interpreter: the Python 3.14 image (Debian forky).

test_labs runs each lab on the default image (3.11); this runs it again on 3.14, unless
the lab's lab.toml says it is one-Python-only (`pythons` without 3.14, with `pythons_why`).
Both images come from the same Dockerfile; `proclab images build` makes both.
"""

from __future__ import annotations

import pytest

from proclab import engine
from proclab.engine import images
from proclab.lab import pythons
from proclab.lab import spec as labspec
from tests.support.verdicts import assert_passed

pytestmark = [pytest.mark.lab, pytest.mark.docker, pytest.mark.py314]

TIMING_LABS = {
    "priority",
    "parallelism",
    "scheduling",
}  # their physics needs a quiet host; mark slow


@pytest.fixture(scope="session")
def py314_image():
    return images.ensure(pythons.IMAGES["3.14"])


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow) if n in TIMING_LABS else n
        for n in labspec.builtin_names()
    ],
)
def test_lab_passes_on_python_314(name, py314_image):
    from proclab import run_lab

    needs = labspec.resolve(name).needs
    if "3.14" not in needs.pythons:
        pytest.skip(f"{name} is one-Python-only: {needs.why}")
    result = run_lab(name, python="3.14")
    assert result.checks, f"lab {name} ran no check"
    assert_passed(result)  # inconclusive (a busy host): a skip with the reason, as in test_labs
    names = {r.container for r in result.runs}
    assert not [c.name for c in engine.proclab_containers() if c.name in names]


def test_the_314_image_really_is_python_314(py314_image):
    from proclab import run_lab

    res = run_lab("start-methods", python="3.14")
    cp = res.checkpoint("default-child")
    assert cp.data["python"].startswith("3.14.") and cp.data["method"] == "forkserver", cp.data
