"""Bad input that needs Docker to show: a scenario that does not compile or crashes at
start (the lab's failure, with its traceback: exit 1), an image that cannot be built
(the build's last lines: exit 2). Each drives the CLI in-process (tests/support/cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import docker.errors
import pytest

from proclab import engine
from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

SCENARIOS = {
    "syntax-error": (
        "from labkit import checkpoint\ndef broken(:\n    pass\n",
        "SyntaxError: invalid syntax",
    ),
    "crash-at-start": (
        'from labkit import checkpoint\nimport json\nsettings = json.loads("{oops")\n'
        'checkpoint("never")\n',
        "json.decoder.JSONDecodeError: Expecting property name",
    ),
}


@pytest.mark.parametrize("kind", SCENARIOS)
def test_broken_scenario_is_the_labs_failure_with_its_traceback(tmp_path, lab_image, kind):
    src, last_line = SCENARIOS[kind]
    lab = write_lab(tmp_path, kind, src)
    res = run_cli("run", str(lab))
    out = res.stdout
    assert res.returncode == 1, out + res.stderr  # the lab failed; the harness did not
    assert "Error:" not in res.stderr, res.stderr
    assert f"the scenario crashed before its first checkpoint (exit 1): {last_line}" in out
    assert "FAILED" in out
    scenario_lines = [ln for ln in out.splitlines() if ln.lstrip().startswith("│")]
    assert any('File "/lab/scenario.py"' in ln for ln in scenario_lines), (
        out
    )  # the scenario's traceback...
    assert "src/proclab" not in out + res.stderr  # ...and none of the harness's
    assert containers_of(lab.name) == []

    # --json carries the same: the error on the run, the traceback in the output
    res = run_cli("run", str(lab), "--json")

    doc = printed(res.stdout)
    assert res.returncode == 1 and not doc["passed"]
    assert doc["runs"][0]["error"].endswith(last_line) or last_line in doc["runs"][0]["error"]
    assert any(
        'File "/lab/scenario.py"' in o["text"] for o in doc["runs"][0]["output"]
    )  # once, per run


BUILD_BROKEN = """
from proclab import cli
from proclab.engine import images
images.IMAGES.clear()      # only the test image: leave the real ones alone
images.register(images.ImageSpec("broken-test", "tests/labs/data/broken.Dockerfile", ()))
cli.main(["images", "build"])
"""


def test_image_that_cannot_be_built_shows_the_builds_last_lines(lab_image):
    # a fresh interpreter: it empties the image registry, which this session must keep
    res = subprocess.run(
        [sys.executable, "-c", BUILD_BROKEN], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    err = res.stderr
    tag = f"proclab/broken-test:{os.environ.get('PROCLAB_IMAGE_TAG') or 'latest'}"  # as ImageSpec names it
    assert f"Error: building image {tag} failed:" in err
    assert "returned a non-zero code: 3" in err
    tail = err.split("last lines of the build:", 1)[1]
    assert "broken image: step output two" in tail and "broken image: giving up now" in tail
    with pytest.raises(docker.errors.ImageNotFound):
        engine.client().images.get(tag)


def test_base_image_that_does_not_exist(lab_image):
    res = run_cli("images", "build", env={"BASE_IMAGE": "proclab/no-such-base:never"})
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, res.stderr
    assert "BASE_IMAGE=proclab/no-such-base:never is not present and cannot be pulled" in errors[0]
    assert "unset BASE_IMAGE" in errors[0]


@pytest.mark.parametrize(
    "setting, says",
    [
        ('mem_limit = "lots"', "setting 'mem_limit' must be a size like"),  # refused at load
        ('cap_add = ["NOT_A_CAP"]', "Linux capability names (e.g. SYS_NICE); 'NOT_A_CAP' is none"),
        (
            'cpuset_cpus = "999"',
            "Docker refused to create its container with cpuset_cpus = '999':",
        ),  # by Docker
        ("cpus = 64.0", "Docker refused to create its container with cpus = 64.0:"),
        (
            'user = "nobody-here"',
            "Docker refused to start its container with user = 'nobody-here':",
        ),
    ],
    ids=["mem-limit", "capability", "cpuset", "cpus", "user"],
)
def test_settings_refused_are_one_line_errors(tmp_path, lab_image, setting, says):
    """Refused at load, or by Docker creating or starting the container: a settings error (exit 2)
    that names the setting, never a lab failure (exit 1) or a traceback."""
    lab = write_lab(tmp_path, "refused", "print('never runs')\n", f"[settings]\n{setting}\n")
    res = run_cli("run", str(lab))
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr, (
        res.stdout + res.stderr
    )
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and says in errors[0], res.stderr
    if "Docker refused" in says:
        assert f"fix the settings in {lab / 'lab.toml'}" in errors[0]
    assert containers_of(lab.name) == []
