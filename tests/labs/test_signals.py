"""signals: the --json document carries the exit codes and statuses its checks used."""

from __future__ import annotations

import uuid

import pytest

from tests.support.documents import as_printed
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def _figures(doc, prefix):
    return next(c["figures"] for c in doc["checks"] if c["name"].startswith(prefix))


def test_json_carries_exit_codes(run_lab_cached):
    result = run_lab_cached("signals")
    assert result.passed, explain(result)
    doc = as_printed(result)
    assert _figures(doc, "Process.exitcode")["exitcodes"] == {
        "return": 0,
        "sys.exit(3)": 3,
        "raise ValueError": 1,
        "terminate()": -15,
        "kill()": -9,
    }
    assert _figures(doc, "SIGINT gives exitcode 1") == {"sigint": 1, "sigint_default": -2}
    assert _figures(doc, "the raw wait status") == {"exit3_status": 0x0300, "sigterm_status": 15}
    shell = _figures(doc, "one death")
    assert (
        shell["shell"]["kill -TERM itself"] == "143"
        and shell["subprocess"]["kill -TERM itself"] == -15
    )
    assert doc["exit_code"] == 143


def test_orphan_and_group_figures(run_lab_cached):
    doc = as_printed(run_lab_cached("signals"))
    orphan = _figures(doc, "terminate() does not reach")
    assert orphan["grandchild_ppid_after"] == 1 and orphan["grandchild_ppid_before"] != 1
    assert _figures(doc, "right after terminate()")["is_alive_after_terminate"] is True


# Each SIGINT is sent the moment the child says it is ready; on the old code a SIGINT could land
# between the child's last look for signals and its sleep, and hang the lab (1 run in ~27; this
# loop, with the old logic, hung within 300 SIGINTs in 7 of 8 tries, on 3.11 and 3.14). 300 in a row must all end with KeyboardInterrupt.
SIGINT_LOOP = """
import signal, sys
sys.path.insert(0, "/labs/signals")
import scenario
codes = {scenario.signalled(signal.SIGINT) for _ in range(300)}
print("exitcodes", sorted(codes))
"""


def test_sigint_is_never_slept_through(lab_image):
    from proclab import engine

    spec = engine.ContainerSpec(
        image=lab_image,
        name=f"proclab-sigint-loop-{uuid.uuid4().hex[:8]}",
        command=("timeout", "90", "python3", "-c", SIGINT_LOOP),
        init=True,
        labels={"lab": "signals"},
    )
    c = engine.create(spec)
    try:
        c.start()
        code = c.wait(timeout=120)
    finally:
        c.remove()
    assert code == 0, f"the SIGINT loop ended with {code} (124: a child slept through its SIGINT)"
