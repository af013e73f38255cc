"""`process-run --real` without Docker: the model's states as the kernel would say them, the sample
records built from checkpoint data, the facts that must hold whatever the timing, and the CLI's errors."""

from __future__ import annotations

import pytest

from proclab.homework import procreal as real
from proclab.homework import procrun as pr
from tests.support.cli import run_cli
from tests.support.documents import printed

TICKS, TOTALS = pr.simulate(["cccc", "i"], "on-io", "later", 5)  # PID 1 blocked at ticks 6-10


def test_the_model_states_map_to_what_the_kernel_says():
    # R is running *or* runnable: the model's READY is R too
    assert {s: real.kernel_letter(s) for s in (pr.RUNNING, pr.READY, pr.BLOCKED, pr.DONE)} == {
        pr.RUNNING: "R",
        pr.READY: "R",
        pr.BLOCKED: "S",
        pr.DONE: "gone",
    }


def test_the_model_state_at_a_tick_and_after_the_model_ended():
    assert [real.sim_state(TICKS, t, 1) for t in (1, 5, 6, 10, 11)] == [
        pr.READY,
        pr.RUNNING,
        pr.BLOCKED,
        pr.BLOCKED,
        pr.RUNNING,
    ]
    assert real.sim_state(TICKS, len(TICKS) + 1, 0) == pr.DONE


def data(elapsed_ms, phases, reaped=(), holder=None):
    d = {
        "elapsed_ms": elapsed_ms,
        "names": {"p0": 7, "p1": 8},
        "phases": phases,
        "reaped": list(reaped),
    }
    if holder is not None:
        d["holder"] = holder
    return d


def test_a_sample_lines_the_kernel_up_with_the_models_tick():
    # 275 ms at 50 ms a tick is tick 6: PID 0 is done in the model, PID 1 blocked
    s = real.sample_from(
        "sample-6",
        data(275.0, [["cpu", 4], ["io", 2]]),
        {7: "R", 8: "S"},
        [["cpu", 4], ["io", 2]],
        TICKS,
        50,
    )
    assert s.tick == 6 and s.holder is None
    p0, p1 = s.workers
    assert (p0.name, p0.sim, p0.expected, p0.kernel, p0.phase, p0.settled) == (
        "PID 0",
        "DONE",
        "gone",
        "R",
        "cpu",
        True,
    )
    assert (p1.sim, p1.expected, p1.kernel, p1.agrees) == ("BLOCKED", "S", "S", True)
    assert s.differences == [p0] and "DONE" in p0.explain() and p1.explain() == ""
    assert s.to_dict()["kernel"] == ["R", "S"] and s.to_dict()["agree"] is False


def test_a_pid_missing_from_the_table_is_gone_and_a_step_that_moved_is_not_settled():
    s = real.sample_from(
        "io-1-done-next",
        data(20.0, [["cpu", 1], ["io", 2]], reaped=[0], holder=1),
        {8: "S"},
        [["cpu", 2], ["io", 2]],
        TICKS,
        50,
    )
    p0, p1 = s.workers
    assert p0.kernel == "gone" and p0.reaped and not p0.settled
    assert s.holder == 1 and p1.settled
    without_after = real.sample_from(
        "sample-1", data(20.0, [["cpu", 1], ["cpu", 1]]), {7: "R", 8: "R"}, None, TICKS, 50
    )
    assert not any(w.settled for w in without_after.workers)


def run_of(*samples, exit_codes=None):
    return real.RealRun(
        names=("PID 0", "PID 1"),
        samples=tuple(samples),
        tick_ms=50,
        wall_ms=600,
        paused_ms=100,
        exit_codes={"PID 0": 0, "PID 1": 0} if exit_codes is None else exit_codes,
    )


def test_the_facts_hold_on_a_run_that_shows_them():
    good = [
        real.sample_from(
            "sample-3",
            data(125, [["cpu", 3], ["io", 2]]),
            {7: "R", 8: "S"},
            [["cpu", 3], ["io", 2]],
            TICKS,
            50,
        ),
        real.sample_from(
            "io-1-done-next",
            data(380, [["cpu", 4], ["io", 2]], holder=1),
            {7: "R", 8: "S"},
            [["done", 5], ["io", 2]],
            TICKS,
            50,
        ),
        real.sample_from(
            "sample-9",
            data(425, [["done", 5], ["cpu", 3]], reaped=[0]),
            {8: "R"},
            [["done", 5], ["cpu", 3]],
            TICKS,
            50,
        ),
    ]
    run = run_of(*good)
    assert run.facts() == []
    assert run.counts() == {"asleep_on_io": 1, "spinning": 2, "reaped": 1}


@pytest.mark.parametrize(
    "name,d,letters,after,wrong",
    [
        (
            "io-1-done-next",
            data(380, [["cpu", 4], ["io", 2]], holder=1),
            {7: "R", 8: "R"},
            [["cpu", 4], ["io", 2]],
            "sleeps on its reply",
        ),
        (
            "sample-3",
            data(125, [["cpu", 3], ["io", 2]]),
            {7: "S", 8: "S"},
            [["cpu", 3], ["io", 2]],
            "spins",
        ),
        (
            "sample-9",
            data(425, [["done", 5], ["cpu", 3]], reaped=[0]),
            {7: "Z", 8: "R"},
            [["done", 5], ["cpu", 3]],
            "was reaped",
        ),
    ],
)
def test_each_fact_fails_when_the_kernel_contradicts_it(name, d, letters, after, wrong):
    failed = run_of(real.sample_from(name, d, letters, after, TICKS, 50)).facts()
    assert len(failed) == 1 and wrong in failed[0]


def test_a_worker_that_never_finished_or_failed_breaks_the_facts():
    assert run_of(exit_codes={"PID 0": 0}).facts() == ["PID 1 never finished"]
    assert run_of(exit_codes={"PID 0": 1, "PID 1": 0}).facts() == ["PID 0 exited 1, not 0"]


@pytest.mark.parametrize(
    "sim,kernel,says",
    [
        (pr.READY, "gone", "finished it sooner"),
        (pr.DONE, "R", "finished later"),
        (pr.DONE, "Z", "not reaped"),
        (pr.READY, "S", "asleep (S)"),
        (pr.BLOCKED, "R", "had not started"),
        (pr.RUNNING, "D", "expects R"),
    ],
)
def test_every_difference_is_explained(sim, kernel, says):
    w = real.Observed("PID 1", sim, kernel, "cpu", True, False)
    assert not w.agrees and says in w.explain()


@pytest.mark.parametrize(
    "args,says",
    [
        (["--real"], "use it with --solve"),
        (["--solve", "--real", "--tick-ms", "5"], "--tick-ms 5: choose 10 to 1000"),
        (["--solve", "--real", "--tick-ms", "nan"], "--tick-ms nan"),
        (["--solve", "--tick-ms", "20"], "use it with --real"),
        (["--solve", "--real", *sum((["-P", "c"] for _ in range(11)), [])], "at most 10 processes"),
        (["-P", "c" * 50, "--solve", "--real", "--tick-ms", "1000"], "runs at most 30 s"),
    ],
)
def test_bad_real_options_are_one_error_line_and_exit_2(args, says):
    code, out, err = run_cli("process-run", *args)
    assert code == 2 and out == ""
    assert err.startswith("Error:") and says in " ".join(err.split()) and "Traceback" not in err


def test_a_bad_real_option_with_json_is_one_json_document():
    code, out, _ = run_cli("process-run", "--real", "--json")
    assert code == 2
    doc = printed(out)
    assert doc["exit_code"] == 2 and "--solve" in doc["error"]
