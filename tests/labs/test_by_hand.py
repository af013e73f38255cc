"""The lessons' by-hand steps work as written: each command is copied from the README's
short part, run in the lab image through proclab.engine (as `docker run` would), and its
output holds what the lesson says it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.dockerrun import run_as_docker_would
from tests.support.lessons import by_hand

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LABS = Path(__file__).resolve().parents[2] / "labs"

BY_HAND_LABS = [
    "zombies",
    "orphans",
    "signals",
    "pid1",
    "forkbomb",
    "states",
    "priority",
    "parallelism",
    "zombie-pileup",
    "deadlines",
    "futures",
    "pipe-readers",
    "traps",
    "outlive-parent",
    "scheduling",
]  # its short command reads a policy, it measures no CPU time


@pytest.mark.parametrize("lab", BY_HAND_LABS)
def test_the_lessons_command_prints_what_it_says(lab, lab_image):
    step = by_hand(lab)
    options, image, command = step.docker_run()
    assert image == "proclab/lab", (
        f"{lab}: the lesson should name the image proclab/lab, not {image}"
    )
    code, out, err = run_as_docker_would(
        options, lab_image, command
    )  # this session's build of proclab/lab
    assert code == 0, f"{lab}: exit code {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert not step.missing(out), (
        f"{lab}: the lesson says it prints {step.missing(out)}; it printed:\n{out}"
    )


def scenarios_run_by_hand() -> list[tuple[str, list[str]]]:
    """(lab, docker run options) for every lesson line that runs a scenario as it ends by itself."""
    import re

    found: dict[str, list[str]] = {}
    for readme in sorted(LABS.glob("*/README.md")):
        for m in re.finditer(
            r"docker run ((?:-\S+ (?:\w+ )?)*)proclab/lab python3 /labs/([\w-]+)/scenario\.py *(\S*)",
            readme.read_text(),
        ):
            opts, lab, arg = m.group(1).split(), m.group(2), m.group(3)
            if arg and not arg.startswith("#"):
                continue  # a variant that hangs on purpose (its lesson says how to stop it)
            found.setdefault(lab, [o for o in opts if o in ("--rm", "--init")])
    return sorted(found.items())


@pytest.mark.parametrize(
    "lab,options", scenarios_run_by_hand(), ids=[x[0] for x in scenarios_run_by_hand()]
)
def test_a_scenario_run_by_hand_prints_the_table_at_each_checkpoint(lab, options, lab_image):
    """The lessons' `docker run --rm [-it] [--init] proclab/lab python3 /labs/LAB/scenario.py`: with no
    harness, labkit prints the process table at each checkpoint and the scenario runs to its end."""
    code, out, err = run_as_docker_would(
        options, lab_image, ["python3", f"/labs/{lab}/scenario.py"]
    )
    assert code == 0, f"{lab}: exit code {code}\nstdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}"
    assert "=== checkpoint" in out and "PPID" in out, out[-3000:]
    if lab == "zombies":
        assert any(
            line.split()[2:3] == ["Z"] for line in out.splitlines() if line.strip()[:1].isdigit()
        ), out
