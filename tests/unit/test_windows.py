"""labkit.cpustat.Windows (inside the container): a busy window is measured again, at most TRIES
times, each retry said; and its free-CPU arithmetic is the checks' own (proclab host_load)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from proclab.checks import host_load

LAB_IMAGE = Path(__file__).resolve().parents[2] / "images" / "lab"


@pytest.fixture
def cpustat(capsys):
    sys.path.insert(0, str(LAB_IMAGE))
    try:
        import labkit.cpustat as mod

        yield mod
    finally:
        sys.path.remove(str(LAB_IMAGE))


def window(busy: list[float], ours: list[float]) -> tuple[dict, dict]:
    def ns(xs: list[float]) -> list[int]:
        return [int(x * 1e9) for x in xs]

    return (
        {"host_busy_ns": [0] * len(busy), "usage_percpu_ns": [0] * len(ours), "usage_ns": 0},
        {"host_busy_ns": ns(busy), "usage_percpu_ns": ns(ours), "usage_ns": int(sum(ours) * 1e9)},
    )


def run(cpustat, frees_busy: list[list[float]]) -> tuple[list[int], list]:
    """Attempts made when each window's host busy time (2 CPUs, 1 s, ours 0.5 s each) is as given."""
    w = cpustat.Windows("the window", [0, 1])
    attempts = []
    for attempt in w:
        attempts.append(attempt)
        w.ended(*window(frees_busy[attempt - 1], [0.5, 0.5]), 1.0)
    return attempts, w.free


def test_a_quiet_window_is_measured_once(cpustat, capsys):
    attempts, free = run(cpustat, [[0.5, 0.55]])
    assert attempts == [1] and free == [pytest.approx(1.95)]
    assert capsys.readouterr().out == ""


def test_a_busy_window_is_measured_again_then_accepted(cpustat, capsys):
    attempts, free = run(cpustat, [[1.0, 1.0], [0.5, 0.5]])
    assert attempts == [1, 2] and free == [1.0, 2.0]
    out = capsys.readouterr().out
    assert "left only 1.00 of 2 CPUs free" in out and "measuring again (2 of 3)" in out


def test_a_host_that_never_quiets_stops_after_tries(cpustat, capsys):
    attempts, free = run(cpustat, [[1.0, 1.0]] * 5)
    assert attempts == [1, 2, 3] == list(range(1, cpustat.TRIES + 1)) and free == [1.0] * 3
    out = capsys.readouterr().out
    assert out.count("measuring again") == 2 and "stayed busy" in out and "inconclusive" in out


def test_no_figures_is_not_retried_and_not_free(cpustat, capsys):
    w = cpustat.Windows("w", [0])
    attempts = []
    for attempt in w:
        attempts.append(attempt)
        assert w.ended({}, {}, 1.0) is None
    assert attempts == [1] and w.free == [None] and "cannot be measured" in capsys.readouterr().out


@pytest.mark.parametrize(
    "busy, ours, cpus",
    [
        ([2.0, 1.5], [1.6, 1.5], [0, 1]),
        ([2.0, 2.0], [0.3, 0.1], [0]),
        ([0.2, 2.0], [0.2, 0.0], [1]),
        ([1.0, 1.0], [1.2, 0.0], [0, 1]),
    ],
)
def test_container_and_host_agree_on_free_cpus(cpustat, busy, ours, cpus):
    a, b = window(busy, ours)
    assert cpustat.free_cpus(a, b, cpus, 2.0) == pytest.approx(host_load(a, b, cpus, 2.0).free)
    for d in (a, b):
        del d["usage_percpu_ns"]
    assert cpustat.free_cpus(a, b, cpus, 2.0) == pytest.approx(host_load(a, b, cpus, 2.0).free)
