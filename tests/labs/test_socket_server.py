"""socket-server: the --json carries the counts the checks used, and the checks fail
when the facts are different (a fifth worker serving, a waiting client held by a worker)."""
from __future__ import annotations

import copy
import json

import pytest

from proclab import labspec
from proclab.checks import load_checks, run_checks
from tests.conftest import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "socket-server"


def _figures(result) -> dict[str, dict]:
    doc = json.loads(json.dumps(result.to_dict()))          # exactly what --json prints
    return {c["name"]: c.get("figures", {}) for c in doc["checks"]}


def _verdicts(result) -> dict[str, bool]:
    checks = load_checks(labspec.resolve(LAB).checks_file, LAB)
    return {c.name: c.passed for c in run_checks(checks, result)}


def _named(d: dict, start: str):
    return next(v for k, v in d.items() if k.startswith(start))


def test_figures_in_json(run_lab_cached):
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    figs = _figures(result)
    assert _named(figs, "a process per connection") == {"clients": 5, "server_children": 5, "distinct_handlers": 5}
    assert _named(figs, "Pool(4) with 6 clients") == {"workers": 4, "serving_at_once": 4, "answered": 4}
    assert _named(figs, "the other 2 clients") == {"waiting": 2}
    assert _named(figs, "all 6 clients") == {"distinct_pids": 4, "connections": 6}


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(_verdicts(result).values())

    other = copy.deepcopy(result)
    full = other.checkpoint("pool-full").data
    waiting = str(full["waiting"][0])
    full["served_by"][waiting] = full["served_by"][waiting] + [full["workers"][0]]   # a worker holds a waiting client
    other.checkpoint("pool-done").data["served_by"][0] = 99999                       # a fifth pid served
    v = _verdicts(other)
    assert not _named(v, "the other 2 clients") and not _named(v, "all 6 clients")
    assert _named(v, "a process per connection")
