"""The simulator's invariants, for every policy on many seeded exercises; job parsing;
seeded reproducibility; the Gantt renderers."""

from __future__ import annotations

from itertools import pairwise

import pytest

from proclab.errors import UsageError
from proclab.sched import POLICIES, Job, parse_jobs, random_jobs, simulate
from proclab.ui.gantt import gantt_image, gantt_text


@pytest.mark.parametrize("policy", list(POLICIES))
@pytest.mark.parametrize("seed", range(25))
def test_schedule_is_physically_possible(policy, seed):
    jobs = random_jobs(seed, count=4, max_length=9, max_arrival=6, io=True)
    s = simulate(policy, jobs, slice=1, boost=(20 if seed % 2 else None))
    segs = sorted(s.segments, key=lambda g: g.start)
    for a, b in pairwise(segs):
        assert a.end <= b.start + 1e-9, f"two jobs on one CPU: {a} {b}"
    for j in jobs:
        mine = [g for g in segs if g.job == j.name]
        assert sum(g.end - g.start for g in mine) == pytest.approx(j.length)
        assert mine[0].start >= j.arrival - 1e-9
        assert s.first_run[j.name] == mine[0].start and s.finish[j.name] == mine[-1].end
        for lo, hi in s.blocked.get(j.name, []):
            assert not any(g.start < hi - 1e-9 and g.end > lo + 1e-9 for g in mine), (
                "ran while blocked"
            )
        st = s.stat(j.name)
        assert st.waiting >= -1e-9 and st.response >= -1e-9


@pytest.mark.parametrize("policy", list(POLICIES))
def test_cpu_never_idles_while_a_job_is_ready(policy):
    s = simulate(policy, parse_jobs("0:3,1:5,9:2"), slice=1)
    busy = sum(g.end - g.start for g in s.segments)
    # idle only between 8 (all work of A and B done) and 9 (C arrives)
    assert s.makespan - busy == pytest.approx(1)


def test_seed_makes_the_same_exercise():
    assert random_jobs(7) == random_jobs(7)
    assert any(random_jobs(s) != random_jobs(7) for s in range(8))


def test_parse_jobs_forms():
    assert parse_jobs("100,10") == [Job("A", 0, 100), Job("B", 0, 10)]
    assert parse_jobs("0:5, 3:2:1/4") == [Job("A", 0, 5), Job("B", 3, 2, 1, 4)]


@pytest.mark.parametrize("bad", ["", "a,b", "1:2:3:4", "0:-1", "0:5:1/0"])
def test_parse_jobs_rejects(bad):
    with pytest.raises(UsageError):
        parse_jobs(bad)


def test_unknown_policy_names_the_choices():
    with pytest.raises(UsageError, match="fcfs, sjf, stcf, rr, mlfq"):
        simulate("lottery", parse_jobs("1"))


def test_fractional_times_small_slice():
    """The lab feeds measured seconds and a 4 ms slice: equal jobs finish together."""
    s = simulate("rr", parse_jobs("0.8,0.2,0.2"), slice=0.004)
    assert s.finish["B"] == pytest.approx(0.6, abs=0.01) and s.finish["C"] == pytest.approx(
        0.6, abs=0.01
    )
    assert s.finish["A"] == pytest.approx(1.2)
    assert s.averages().response == pytest.approx(0.004)


def test_gantt_text_rows():
    s = simulate("fcfs", parse_jobs("2,1"))
    text = gantt_text(s).plain.splitlines()
    assert text[0] == "   A │██ │" and text[1] == "   B │··█│"


def test_gantt_image(tmp_path):
    path = gantt_image(
        [simulate(p, parse_jobs("0:8,1:4:1/2,2:3")) for p in POLICIES], tmp_path / "g.png"
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
