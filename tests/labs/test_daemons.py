"""daemons: the --json document carries what happened to each daemon."""

from __future__ import annotations

import pytest

from tests.support.documents import as_printed
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_json_carries_daemon_figures(run_lab_cached):
    result = run_lab_cached("daemons")
    assert result.passed, explain(result)
    doc = as_printed(result)
    figs = {c["name"].split(":")[0]: c.get("figures", {}) for c in doc["checks"]}
    refused = next(
        v for k, v in figs.items() if k.startswith("a daemonic process that starts a child")
    )
    assert refused == {"exitcode": 1, "children": 0}
    killed = next(v for k, v in figs.items() if k.startswith("daemon=True is kept"))
    assert killed["daemon_ppid_after"] == 1 and killed["daemon_ppid_before"] != 1
    ended = next(v for k, v in figs.items() if k.startswith("when main's code ends"))
    assert ended["daemon_state"] in (None, "Z")
    alive = next(v for k, v in figs.items() if k.startswith("the non-daemonic worker"))
    assert (
        alive["main_state"] == "S" and alive["exit_code"] == 0
    )  # main waits (joins the worker) at exit
