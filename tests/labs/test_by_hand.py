"""The lessons' by-hand steps work as written: each command is copied from the README's
short part, run in the lab image through proclab.engine (as `docker run` would), and its
output holds what the lesson says it prints."""
from __future__ import annotations

import uuid

import pytest

from proclab import engine
from tests.support.lessons import by_hand

pytestmark = [pytest.mark.lab, pytest.mark.docker]

BY_HAND_LABS = ["zombies", "orphans", "signals", "pid1", "forkbomb", "states", "priority", "parallelism",
                "zombie-pileup", "deadlines", "futures", "pipe-readers", "traps", "outlive-parent"]


def container_spec(options: list[str], image: str, command: list[str]) -> engine.ContainerSpec:
    """What `docker run OPTIONS IMAGE CMD...` asks for, as the engine's ContainerSpec."""
    kw: dict = {}
    opts = list(options)
    while opts:
        o = opts.pop(0)
        if o == "--init":
            kw["init"] = True
        elif o == "--pids-limit":
            kw["pids_limit"] = int(opts.pop(0))
        elif o == "--cpuset-cpus":
            kw["cpuset_cpus"] = opts.pop(0)
        else:
            assert o == "--rm", f"the test knows --rm, --init, --pids-limit and --cpuset-cpus; the lesson uses {o}"
    return engine.ContainerSpec(image=image, name=f"proclab-byhand-{uuid.uuid4().hex[:10]}", command=tuple(command),
                                labels={"lab": "by-hand"}, **kw)


def run_as_docker_would(options: list[str], image: str, command: list[str]) -> tuple[int, str, str]:
    """`docker run [options] IMAGE CMD...` through the engine: exit code, stdout, stderr."""
    spec = container_spec(options, image, command)
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
