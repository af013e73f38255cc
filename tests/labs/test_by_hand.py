"""The lessons' by-hand steps work as written: each command is copied from the README's
short part, run in the lab image through proclab.engine (as `docker run` would), and its
output holds what the lesson says it prints."""
from __future__ import annotations

import uuid

import pytest

from proclab import engine
from tests.lessontools import by_hand

pytestmark = [pytest.mark.lab, pytest.mark.docker]

BY_HAND_LABS = ["zombies", "orphans", "signals", "pid1"]


def run_as_docker_would(options: list[str], image: str, command: list[str]) -> tuple[int, str, str]:
    """`docker run [--rm] [--init] IMAGE CMD...` through the engine: exit code, stdout, stderr."""
    unknown = [o for o in options if o not in ("--rm", "--init")]
    assert not unknown, f"the test knows only --rm and --init, the lesson uses {unknown}"
    spec = engine.ContainerSpec(image=image, name=f"proclab-byhand-{uuid.uuid4().hex[:10]}", command=tuple(command),
                                init="--init" in options, labels={"lab": "by-hand"})
    c = engine.create(spec)
    try:
        stream = c.stream()
        c.start()
        out, err = [], []
        for o, e in stream:
            out.append(o or b"")
            err.append(e or b"")
        code = c.wait(timeout=60)
    finally:
        c.remove()
    return code, b"".join(out).decode(errors="replace"), b"".join(err).decode(errors="replace")


@pytest.mark.parametrize("lab", BY_HAND_LABS)
def test_the_lessons_command_prints_what_it_says(lab, lab_image):
    step = by_hand(lab)
    options, image, command = step.docker_run()
    assert image == "proclab/lab", f"{lab}: the lesson should name the image proclab/lab, not {image}"
    code, out, err = run_as_docker_would(options, lab_image, command)   # this session's build of proclab/lab
    assert code == 0, f"{lab}: exit code {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert not step.missing(out), f"{lab}: the lesson says it prints {step.missing(out)}; it printed:\n{out}"
