"""The --json document carries the figures each multiprocessing lab's checks used: one table of
(lab, check-name start, the figures exactly), read back the way --json prints them. A lab's own
file keeps what is not an exact figure (orders, timings, ratios) and its checks' failures."""

from __future__ import annotations

import pytest

from tests.support.results import check_figures, named
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]

FIGURES = {
    "pools": {
        "while tasks run": {"children": 3, "running": 3},
        "10 tasks ran": {"distinct_pids": 3, "tasks": 10, "most_at_once": 3},
        "apply() waits": {"most_at_once": 1},
    },
    "start-methods": {
        "fork: the child is a copy": {"imports": 0, "children_of_main": 1},
        "spawn: every child imports": {"children": 6, "imports": 6},
        "without the __main__ guard": {"module_runs": 2},
    },
    "semaphores-events": {
        "Semaphore(4)": {"inside": 4, "inside_counter": 4, "sem_value": 0},
        "the other 9": {"waiting": 9, "children": 13},
        "when one leaves": {"inside": 4, "waiting": 8},
        "over the whole run": {"max_inside": 4, "entries": 13},
        "Event clear": {"cars_waiting": 3, "crossed": 0},
    },
    "socket-server": {
        "a process per connection": {"clients": 5, "server_children": 5, "distinct_handlers": 5},
        "Pool(4) with 6 clients": {"workers": 4, "serving_at_once": 4, "answered": 4},
        "the other 2 clients": {"waiting": 2},
        "all 6 clients": {"distinct_pids": 4, "connections": 6},
    },
}


@pytest.mark.parametrize("lab", FIGURES)
def test_figures_in_json(run_lab_cached, lab):
    result = run_lab_cached(lab)
    assert result.passed, explain(result)
    figs = check_figures(result)
    got = {start: named(figs, start) for start in FIGURES[lab]}
    assert got == FIGURES[lab]
