"""`proclab process-run --real`: what the kernel must show whatever the timing, on real processes.

The model's ticks and the kernel's clock drift apart (time slices, the host's load, the device
held at each snapshot), so the table of differences is the lesson, not a test. What is tested is
what holds on any host: a process asleep on its I/O's reply is S, one that spun through a whole
snapshot is R, a reaped one is gone, every process finished and exited 0, every I/O completed.
"""
from __future__ import annotations

import json

import pytest

from proclab.homework import procrun as pr
from proclab.run.homework_real import procrun_real
from tests.support.cli import run_cli

pytestmark = [pytest.mark.lab, pytest.mark.docker]

CASES = {
    "cccc+i": (["cccc", "i"], 5),
    "iii": (["iii"], 4),
    "seed-3": (pr.generate(3, [(4, 50)] * 3), 4),
    "seed-8": (pr.generate(8, [(4, 50)] * 3), 4),
    "io-length-0": (["ici", "cc"], 0),        # process-run.py's -L 0: the I/O is done at the next tick
}


@pytest.mark.parametrize("case", CASES)
def test_the_kernel_shows_the_facts_at_every_sample(case, lab_image):
    programs, io_length = CASES[case]
    ticks, _ = pr.simulate(programs, "on-io", "later", io_length)
    run = procrun_real(programs, io_length, 50, ticks)
    assert run.names == tuple(f"PID {i}" for i in range(len(programs)))
    assert dict(run.exit_codes) == {name: 0 for name in run.names}, "every worker finished and exited 0"
    completions = [s for s in run.samples if s.holder is not None]
    assert len(completions) == sum(p.count("i") for p in programs), "each I/O completes once, announced"
    for s in completions:
        holder = s.workers[s.holder]
        assert holder.kernel == "S", f"{s.name} at {s.elapsed_ms} ms: {holder.name} sleeps on its reply: {holder}"
    for s in run.samples:
        for w in s.workers:
            if w.phase == "cpu" and w.settled:
                assert w.kernel == "R", f"{s.name} at {s.elapsed_ms} ms: {w.name} spun throughout, kernel {w.kernel}"
            if w.reaped:
                assert w.kernel == "gone", f"{s.name}: {w.name} was reaped, kernel {w.kernel}"
    assert run.facts() == []
    if any("c" in p for p in programs):
        assert run.counts()["spinning"] > 0, "no snapshot caught a process spinning: the R fact went untested"
    assert run.wall_ms > 0 and 0 <= run.paused_ms <= run.wall_ms and run.cpu is not None


def test_the_json_document_adds_the_observed_samples(lab_image):
    code, out, err = run_cli("process-run", "-P", "cci", "-P", "ic", "-L", "3", "--solve", "--real",
                             "--json", "--tick-ms", "40")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["tick_ms"] == 40 and doc["totals"]["total_time"] == len(doc["ticks"])
    assert doc["observed"], "no samples"
    for s in doc["observed"]:
        assert set(s) == {"name", "elapsed_ms", "tick", "sim", "expected", "kernel", "phases", "settled",
                          "holder", "agree"}
        assert len(s["sim"]) == len(s["kernel"]) == len(s["phases"]) == 2
        assert s["tick"] == int(s["elapsed_ms"] // 40) + 1
        assert all(k in ("R", "S", "D", "Z", "gone") for k in s["kernel"]), s
    assert sum(s["holder"] is not None for s in doc["observed"]) == 2
    assert doc["facts"]["failed"] == [] and doc["real"]["model_ms"] == doc["totals"]["total_time"] * 40
