"""Every ```sh block of every lesson, in its short part and its deep part, runs in the lab image
as `docker run` would run it, and prints what the ```text block under it says it prints.

How a block is run (docs/writing-labs.md, "A lesson's blocks are tested"): on the host, one
`docker run ... proclab/lab CMD` after another; or, when its first command opens a shell in the
lab image (`docker run -it ... proclab/lab bash`), the rest with `bash -c` in a container made
with those options; or, when its first line is `# in the lab image`, with `bash -c` in
`docker run --rm --init proclab/lab`. A block marked `<!-- untested: REASON -->` is skipped here
(and has its own test where one can be written). The English lesson is run; the pair test
(tests/unit/test_lesson_pairs.py) holds the Chinese one to the same commands."""

from __future__ import annotations

import pytest

from tests.support.dockerrun import DidNotEnd, DockerSession, run_docker
from tests.support.lessonblocks import (
    Block,
    Kind,
    after_first_command,
    all_labs,
    commands,
    lesson_paths,
    read,
    split_docker_run,
)
from tests.support.lessons import ByHand

pytestmark = [pytest.mark.lab, pytest.mark.docker]

# Labs whose blocks are not all runnable (or marked) yet. Strict: a lab that passes must leave
# the list, and the list ends empty. The CPU-timing labs are the lead's to run.
NOT_YET_TESTED: set[str] = set()
CPU_TIMING = {"scheduling", "priority", "parallelism", "pcb"}
JOB_CONTROL = "set -m\n"  # typed in an interactive shell: each job in a process group of its own


def runs(block: Block) -> list[list[str]]:
    """The docker commands the block stands for, as words."""
    if block.kind is Kind.IN_IMAGE:
        return [
            [
                "docker",
                "run",
                "--rm",
                "--init",
                "proclab/lab",
                "bash",
                "-c",
                JOB_CONTROL + block.body,
            ]
        ]
    cmds = commands(block.body)
    if block.kind is Kind.SHELL:
        options, image, shell = split_docker_run(cmds[0])
        return [
            [
                "docker",
                "run",
                *options,
                image,
                shell[0],
                "-c",
                JOB_CONTROL + after_first_command(block.body),
            ]
        ]
    for words in cmds:
        assert words[:1] == ["docker"], (
            f"line {block.line}: `{' '.join(words)[:60]}` is not a docker command: rewrite it, start the block "
            "with `# in the lab image`, or mark it <!-- untested: REASON -->"
        )
    return cmds


def block_failures(block: Block, image: str) -> list[str]:
    failures: list[str] = []
    printed: list[str] = []
    out: list[str] = []
    err: list[str] = []
    todo = runs(block)
    session = DockerSession(image)
    try:
        for k, words in enumerate(todo):
            ran = session.run(words)
            printed.append(ran.both)
            out.append(ran.stdout)
            err.append(ran.stderr)
            want = block.exits if k == len(todo) - 1 else 0
            if ran.code != want:
                failures.append(
                    f"line {block.line}: `{' '.join(words)[:80]}` exit code {ran.code} "
                    f"(the lesson says {want})\n{ran.both[-3000:]}"
                )
    finally:
        session.close()
    missing = ByHand("", "", block.output).missing_from_streams("".join(out), "".join(err))
    if missing:
        failures.append(
            f"line {block.line}: the lesson says it prints {missing}; it printed:\n{''.join(printed)[-3000:]}"
        )
    return failures


def sh_blocks(lab: str) -> list[Block]:
    return [b for b in read(lesson_paths(lab)[0]).blocks if b.lang == "sh"]


LABS = [lab for lab in all_labs() if lab not in CPU_TIMING]


@pytest.mark.parametrize(
    "lab",
    [
        pytest.param(
            lab, marks=pytest.mark.xfail(strict=True, reason="its blocks are not all runnable yet")
        )
        if lab in NOT_YET_TESTED
        else lab
        for lab in LABS
    ],
)
def test_every_command_block_runs_as_the_lesson_says(lab, lab_image):
    failures = []
    for block in sh_blocks(lab):
        if block.untested is None:
            failures += block_failures(block, lab_image)
    assert not failures, f"{lab}:\n" + "\n\n".join(failures)


def test_a_command_that_hangs_is_killed_and_named(lab_image):
    """A lesson's command that never ends fails its test after the time limit, and its container goes."""
    with pytest.raises(DidNotEnd, match="sleep 600"):
        run_docker(["--rm"], lab_image, ["sh", "-c", "echo started; sleep 600"], timeout=2)


def test_the_block_runner_can_fail(lab_image):
    """A block that exits non-zero, and one that prints other than its text block says, both fail."""
    bad = Block(
        "sh",
        "# in the lab image\nps -o pid,stat,args -p 1\nfalse\n",
        1,
        "short",
        None,
        ("1 Z bash",),
    )
    failures = block_failures(bad, lab_image)
    assert len(failures) == 2 and "exit code 1" in failures[0] and "1 Z bash" in failures[1], (
        failures
    )
