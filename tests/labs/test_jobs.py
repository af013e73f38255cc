"""``proclab run --jobs N``: labs side by side, every check still passing, each narration whole."""

from __future__ import annotations

from itertools import pairwise

import pytest

from proclab.lab import spec as labspec
from proclab.run.runner import is_exclusive
from tests.support.cli import run_cli
from tests.support.documents import printed

pytestmark = [pytest.mark.lab, pytest.mark.docker]

QUICK = ["fork-basics", "reaping", "zombies"]


def test_jobs_2_keeps_each_narration_whole(lab_image):
    res = run_cli("run", *QUICK, "--jobs", "2")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    lines = res.stdout.splitlines()
    blocks = []
    for name in QUICK:
        title = labspec.resolve(name).title
        start = next(i for i, ln in enumerate(lines) if f"{name}: {title}" in ln)
        end = next(i for i, ln in enumerate(lines) if ln.startswith(f"PASSED  {name} in"))
        blocks.append((start, end, name))
    blocks.sort()
    for (s1, e1, a), (s2, _, b) in pairwise(blocks):
        assert s1 < e1 < s2, (
            f"the narrations of {a} and {b} are interleaved (lines {s1}-{e1} and {s2}-)"
        )
    # each block holds its own lab's checkpoints only: no other lab's rule or verdict inside
    for s, e, name in blocks:
        inside = lines[s + 1 : e]
        others = [n for n in QUICK if n != name]
        assert not [ln for ln in inside for n in others if ln.startswith(f"PASSED  {n} in")]
        assert sum("◆ checkpoint" in ln for ln in inside) >= 1
    summary = lines[max(e for _, e, _ in blocks) :]
    assert any("proclab: summary" in ln for ln in summary)
    assert all(any(ln.startswith(f"│ {n} ") for ln in summary) for n in QUICK)


def test_jobs_2_runs_labs_at_the_same_time(lab_image):
    res = run_cli("run", *QUICK, "--jobs", "2", "--json")
    assert res.returncode == 0, res.stderr[-3000:]
    doc = printed(res.stdout)  # one JSON document, the live board (if any) on stderr
    assert doc["passed"] and [lab["lab"] for lab in doc["labs"]] == QUICK
    spans = [
        (
            min(r["host"]["before"]["t"] for r in lab["runs"]),
            max(r["host"]["after"]["t"] for r in lab["runs"]),
        )
        for lab in doc["labs"]
    ]
    overlapping = [
        (a, b) for i, a in enumerate(spans) for b in spans[i + 1 :] if a[0] < b[1] and b[0] < a[1]
    ]
    assert overlapping, f"no two labs ran at the same time: {spans}"
    for lab in doc["labs"]:
        assert all(cp["probe"]["path"] == "resident" for cp in lab["checkpoints"])


def test_the_labs_that_measure_cpu_time_are_the_exclusive_ones():
    """--jobs runs these alone, after the others (the host-wide lock tells them apart)."""
    alone = {n for n in labspec.builtin_names() if is_exclusive(labspec.resolve(n))}
    assert alone == {
        "priority",
        "parallelism",
        "scheduling",
        "pcb",
    }  # pcb counts context switches on one CPU


def test_jobs_must_be_a_positive_number():
    res = run_cli("run", "fork-basics", "--jobs", "0")
    assert (
        res.returncode == 2
        and "Error:" in res.stderr
        and "--jobs" in res.stderr
        and "Traceback" not in res.stderr
    )


@pytest.mark.timeout(400)
def test_ctrl_c_under_jobs_removes_every_running_lab(tmp_path, lab_image):
    """Ctrl-C while two labs hang: both containers removed, and neither lab starts its second variant."""
    import os
    import signal
    import time

    from proclab import engine
    from tests.support.harness import Harness
    from tests.support.tinylab import HANG, HANG_TOML, containers_of, wait_hanging, write_lab

    two_variants = (
        HANG_TOML.format(timeout=120)
        + '\n[[variant]]\nname = "first"\n\n[[variant]]\nname = "second"\n'
    )
    labs = [write_lab(tmp_path, f"hang{i}", HANG, two_variants) for i in range(2)]
    since = int(time.time()) - 1
    # a subprocess: the test signals the harness process itself
    h = Harness("run", *map(str, labs), "--jobs", "2")
    try:
        wait_hanging([lab.name for lab in labs])
        os.kill(h.proc.pid, signal.SIGINT)
        code = h.finish()
    finally:
        h.kill()
    assert code == 130, h.output
    assert (
        "Interrupted: the lab's containers were removed." in h.output
        and "Traceback" not in h.output
    )
    assert [c.name for lab in labs for c in containers_of(lab.name)] == []
    from proclab.engine import tracefs  # and the kernel record's tracefs instances went with them

    assert [p.name for p in tracefs.instances() if p.name.split("-")[3] == str(h.proc.pid)] == []
    # the engine's own record: one container per lab, its first variant's; none made after the Ctrl-C
    created = [
        e["Actor"]["Attributes"]["name"]
        for e in engine.client().events(
            since=since,
            until=int(time.time()) + 1,
            decode=True,
            filters={"type": "container", "event": "create", "label": f"{engine.LAB_LABEL}"},
        )
        if e["Actor"]["Attributes"].get(engine.LAB_LABEL) in {lab.name for lab in labs}
    ]
    assert sorted(n.rsplit("-", 2)[1] for n in created) == ["first", "first"], created


@pytest.mark.timeout(400)
def test_the_live_board_in_a_terminal_shows_what_runs_while_a_finished_lab_prints_whole(
    tmp_path, lab_image
):
    """A real pty: the board names the lab still running and where it is, above it the finished
    lab's narration whole; Ctrl-C (the terminal's, not a signal from outside) ends both."""
    import os
    import re
    import sys
    from pathlib import Path

    import pexpect

    from tests.support.tinylab import HANG, HANG_TOML, containers_of, write_lab

    hang = write_lab(tmp_path, "hang", HANG, HANG_TOML.format(timeout=120))
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1"}
    child = pexpect.spawn(
        str(Path(sys.executable).with_name("proclab")),
        ["run", "fork-basics", str(hang), "--jobs", "2"],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 160),
    )
    try:
        esc = r"(?:\x1b\[[0-9;?]*[A-Za-z]|\s)*"  # styles and cursor moves between the words
        child.expect(f"PASSED{esc}fork-basics in")  # the quick lab's verdict, printed whole
        child.expect(f"proclab: 1/2 labs done{esc}, 1 running")  # the board, redrawn below it
        child.expect(
            re.escape(f"⠿ {hang.name}") + f"{esc}[\\d.]+s{esc}variant main: checkpoint started"
        )
        child.sendintr()  # ^C from the terminal
        child.expect(r"Interrupted: the lab's containers were removed\.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130
    assert containers_of(hang.name) == []
