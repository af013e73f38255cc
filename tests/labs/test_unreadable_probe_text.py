"""A lab whose container answers the probe's ``ps`` with text proclab cannot read (here: the
scenario puts a busybox-like ps first on PATH) ends as the lab's failure naming the checkpoint
and the fix, narrated or as one JSON document: never a traceback, never an exit 2 of the
harness's own. Real container, real probe; only the ps it finds is the scenario's."""
from __future__ import annotations

import json

import pytest

from tests.support.cli import run_cli
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

SCENARIO = """
    import os
    from labkit import checkpoint

    with open("/usr/local/bin/ps", "w") as f:
        f.write("#!/bin/sh\\necho 'PID   USER     TIME  COMMAND'\\n"
                "echo '    1 root      0:00 sh'\\n")
    os.chmod("/usr/local/bin/ps", 0o755)
    checkpoint("shadowed", pid=os.getpid())     # a named pid: the narration shows its ps line
"""
TOML = """
    [settings]
    user = "root"
    read_only = false
"""
CHECKS = """
    from proclab.checks import check

    @check("pid 1 has a ps line")
    def ps_line(lab):
        return lab.checkpoint("shadowed").ps_line(1)
"""
SAYS = "checkpoint 'shadowed': the probe could not read ps's output (unexpected ps header"


@pytest.fixture
def shadowing_lab(tmp_path, lab_image):
    lab = write_lab(tmp_path, "shadowps", SCENARIO, TOML, CHECKS)
    yield lab
    assert containers_of(lab.name) == []


def test_narrated_the_run_and_the_check_fail_naming_the_checkpoint(shadowing_lab):
    res = run_cli("run", str(shadowing_lab), "--allow", "user,read_only")
    assert res.returncode == 1, res.output
    assert "Traceback" not in res.output and "Error:" not in res.stderr, res.output
    text = " ".join(res.stdout.split())          # rich wraps long lines
    assert f"run main: {SAYS}" in text and "first on PATH" in text
    assert f"✘ pid 1 has a ps line {SAYS}" in text and "the check raised" not in text


def test_json_is_one_document_with_the_runs_error_and_the_failed_check(shadowing_lab):
    res = run_cli("run", str(shadowing_lab), "--allow", "user,read_only", "--json")
    assert res.returncode == 1, res.output
    doc = json.loads(res.stdout)
    assert not doc["passed"]
    [check] = doc["checks"]
    assert check["status"] == "failed" and check["detail"].startswith(SAYS)
