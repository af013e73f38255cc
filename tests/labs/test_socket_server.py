"""socket-server: the checks fail when the facts are different (a fifth worker serving, a waiting
client held by a worker); its exact figures are in tests/labs/test_lab_figures.py."""

from __future__ import annotations

import copy

import pytest

from tests.support.results import check_verdicts, named

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "socket-server"


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(check_verdicts(LAB, result).values())

    other = copy.deepcopy(result)
    full = other.checkpoint("pool-full").data
    waiting = str(full["waiting"][0])
    full["served_by"][waiting] = full["served_by"][waiting] + [
        full["workers"][0]
    ]  # a worker holds a waiting client
    other.checkpoint("pool-done").data["served_by"][0] = 99999  # a fifth pid served
    v = check_verdicts(LAB, other)
    assert not named(v, "the other 2 clients") and not named(v, "all 6 clients")
    assert named(v, "a process per connection")
