"""The simulator against published results (OSTEP ch. 7-8, 汤小丹《计算机操作系统》)."""

from __future__ import annotations

import pytest

from proclab.sched import Job, parse_jobs, simulate


def avg(policy, jobs, **kw):
    return simulate(policy, parse_jobs(jobs), **kw).averages()


# OSTEP ch. 7 ("Scheduling: Introduction")
def test_fifo_convoy_100_10_10():
    """Figure 7.2: A=100, B=10, C=10 arriving together: FIFO average turnaround 110."""
    assert avg("fcfs", "100,10,10").turnaround == pytest.approx(110)


def test_sjf_100_10_10():
    """Figure 7.3: SJF runs B, C, then A: average turnaround 50."""
    s = simulate("sjf", parse_jobs("100,10,10"))
    assert s.averages().turnaround == pytest.approx(50)
    assert s.finish_order() == ["B", "C", "A"]


def test_fifo_equal_jobs():
    """Figure 7.1: three jobs of 10: FIFO average turnaround 20."""
    assert avg("fifo", "10,10,10").turnaround == pytest.approx(20)


def test_sjf_with_late_arrivals_and_stcf():
    """Figures 7.4 and 7.5: A=100 at 0, B and C (10 each) at 10:
    SJF average turnaround 103.33, STCF 50."""
    assert avg("sjf", "0:100,10:10,10:10").turnaround == pytest.approx(103.333, abs=1e-3)
    s = simulate("stcf", parse_jobs("0:100,10:10,10:10"))
    assert s.averages().turnaround == pytest.approx(50)
    assert s.timeline() == "0-10 A | 10-20 B | 20-30 C | 30-120 A"


def test_rr_response_vs_sjf():
    """Figures 7.6 and 7.7: three jobs of 5, slice 1: RR average response 1, SJF 5;
    turnaround the other way round (RR 14, SJF 10)."""
    rr, sjf = avg("rr", "5,5,5", slice=1), avg("sjf", "5,5,5")
    assert rr.response == pytest.approx(1) and sjf.response == pytest.approx(5)
    assert rr.turnaround == pytest.approx(14) and sjf.turnaround == pytest.approx(10)


def test_homework_three_jobs_of_200():
    """Ch. 7 homework 1: three jobs of 200 under SJF and FIFO: response 200, turnaround 400."""
    for p in ("sjf", "fcfs"):
        a = avg(p, "200,200,200")
        assert (a.response, a.turnaround) == (pytest.approx(200), pytest.approx(400))


# 汤小丹《计算机操作系统》(第四版) 表 3-1/3-2: A-E arrive 0..4, need 4,3,5,2,4
TEXTBOOK = "0:4,1:3,2:5,3:2,4:4"


def test_textbook_fcfs():
    s = simulate("fcfs", parse_jobs(TEXTBOOK))
    assert [s.stat(n).turnaround for n in "ABCDE"] == [4, 6, 10, 11, 14]
    assert s.averages().turnaround == pytest.approx(9)
    assert s.averages().weighted == pytest.approx(2.8)


def test_textbook_sjf():
    s = simulate("sjf", parse_jobs(TEXTBOOK))
    assert s.finish_order() == ["A", "D", "B", "E", "C"]
    assert s.averages().turnaround == pytest.approx(8)
    assert s.averages().weighted == pytest.approx(2.12, abs=0.01)


# OSTEP ch. 8 ("Multi-level Feedback Queue"): three queues, 10 ms slices everywhere
SAME = dict(slices=[10, 10, 10])


def test_mlfq_long_job_sinks():
    """Figure 8.2: a long job runs one slice in Q2 (top), one in Q1, then stays in Q0."""
    s = simulate("mlfq", [Job("A", 0, 200)], **SAME)
    assert [(g.start, g.end, g.level) for g in s.segments] == [
        (0, 10, 0),
        (10, 20, 1),
        (20, 200, 2),
    ]


def test_mlfq_short_job_arrives():
    """Figure 8.3: B (20 ms) arrives at 100 while long A runs in the lowest queue:
    B preempts A at once and finishes in two slices, as SJF would have it."""
    s = simulate("mlfq", [Job("A", 0, 200), Job("B", 100, 20)], **SAME)
    b = s.stat("B")
    assert b.response == 0 and b.turnaround == 20
    assert [(g.job, g.start, g.end, g.level) for g in s.segments if g.start >= 100] == [
        ("B", 100, 110, 0),
        ("B", 110, 120, 1),
        ("A", 120, 220, 2),
    ]


def test_mlfq_interactive_job_stays_on_top():
    """Figure 8.4: a job that runs 1 ms then waits for I/O never uses a whole slice,
    so it stays in the top queue and gets the CPU as soon as it is ready."""
    s = simulate("mlfq", [Job("A", 0, 100), Job("B", 20, 10, io_every=1, io_for=4)], **SAME)
    assert {g.level for g in s.segments if g.job == "B"} == {0}
    assert s.stat("B").response == 0
    assert all(g.level == 2 for g in s.segments if g.job == "A" and g.start >= 20)


def test_mlfq_gaming_and_allotment():
    """Section 8.4: a job that blocks just before its slice ends stays on top under the
    seed's rule; with its allotment kept across I/O it moves down."""
    jobs = [Job("A", 0, 100), Job("G", 0, 50, io_every=9, io_for=1)]
    gamed = simulate("mlfq", jobs, **SAME)
    fair = simulate("mlfq", jobs, **SAME, keep_allotment=True)
    assert {g.level for g in gamed.segments if g.job == "G"} == {0}
    assert max(g.level for g in fair.segments if g.job == "G") == 2


def test_mlfq_boost_ends_starvation():
    """Figure 8.5: two interactive jobs keep the top queue busy and starve the long job;
    a priority boost every 50 gives it the CPU again."""
    jobs = [
        Job("A", 0, 100),
        Job("B", 30, 60, io_every=1, io_for=1),
        Job("C", 30, 60, io_every=1, io_for=1),
    ]
    starved = simulate("mlfq", jobs, **SAME)
    boosted = simulate("mlfq", jobs, **SAME, boost=50)

    def a_runs_while_busy(s):
        return sum(g.end - g.start for g in s.segments if g.job == "A" and 30 <= g.start < 150)

    assert a_runs_while_busy(starved) == 0
    assert a_runs_while_busy(boosted) > 0


def test_mlfq_seed_rules_longer_slices_below():
    """The seed's rules: lower queues have longer slices (default: doubling), and the
    last queue is round robin."""
    s = simulate("mlfq", parse_jobs("7"), slice=1, queues=3)
    assert [(g.start, g.end, g.level) for g in s.segments] == [(0, 1, 0), (1, 3, 1), (3, 7, 2)]
    two = simulate("mlfq", parse_jobs("12,12"), slices=[1, 2, 4])
    last = [g for g in two.segments if g.level == 2]
    assert [g.job for g in last[:4]] == ["A", "B", "A", "B"] and all(
        g.end - g.start == 4 for g in last[:4]
    )


def test_mlfq_one_queue_is_round_robin():
    jobs = parse_jobs("0:4,1:3,2:5,3:2,4:4")
    assert (
        simulate("mlfq", jobs, slices=[1]).timeline().replace(" (Q0)", "")
        == simulate("rr", jobs, slice=1).timeline()
    )
