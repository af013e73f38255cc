"""``proclab sched`` through its command line: exercise, answers, JSON, image, errors."""

from __future__ import annotations

from tests.support.cli import run_cli
from tests.support.documents import printed


def sched(*args, env=None):
    return run_cli("sched", *args, env=env)


def test_exercise_hides_the_answers():
    r = sched("--jobs", "100,10,10", "-p", "fcfs")
    assert r.returncode == 0, r.output
    assert "A: arrives at 0, needs 100" in r.output and "--solve" in r.output
    assert "110" not in r.output and "T/length" not in r.output


def test_solve_reveals_textbook_answers(tmp_path):
    r = sched(
        "--jobs", "100,10,10", "-p", "fcfs,sjf", "--solve", env={"PROCLAB_REPORTS": str(tmp_path)}
    )
    assert r.returncode == 0, r.output
    assert "110" in r.output and "50" in r.output and "█" in r.output
    pngs = list(tmp_path.glob("sched-*.png"))
    assert len(pngs) == 1 and str(pngs[0]) in r.output.replace("\n", "")


def test_json_answers_for_a_seed():
    r = sched("--seed", "4", "-p", "rr", "-q", "2", "--solve", "--json")
    doc = printed(r.stdout)
    assert doc["source"] == "seed 4" and doc["schedules"][0]["label"] == "RR (slice 2)"
    again = printed(sched("--seed", "4", "-p", "rr", "-q", "2", "--solve", "--json").stdout)
    assert again == doc


def test_bad_jobs_exit_2_with_one_line():
    p = run_cli("sched", "--jobs", "1:x")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "cannot read job '1:x'" in p.stderr
