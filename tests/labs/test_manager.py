"""manager: exact outcomes (99 lost of 100 without a lock, 0 with one), the server process
and its threads, all in the --json."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_figures_in_json(run_lab_cached):
    result = run_lab_cached("manager")
    assert result.passed, explain(result)
    doc = as_printed(result)
    merged = {k: v for c in doc["checks"] for k, v in c.get("figures", {}).items()}
    assert merged["server_threads"] >= 100 and merged["workers_alive"] == 100
    assert merged["lost"] == 99
    assert merged["after"].endswith("Error")
    finals = {cp["name"]: cp["data"].get("final") for cp in doc["checkpoints"]}
    assert finals["lost-done"] == 99 and finals["locked-done"] == 0
    assert 0 <= finals["chance-done"] <= 99  # the seed's code: luck, reported but not checked


def test_server_is_not_a_worker(run_lab_cached):
    result = run_lab_cached("manager")
    cp = result.checkpoint("all-read")
    assert cp.data["server"] not in cp.data["workers"]
    assert cp.process(cp.data["server"]).ppid == cp.data["main"]
