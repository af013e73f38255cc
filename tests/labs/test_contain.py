"""Containment by consent and awkward names, in real containers (issue 14 items 3 and 6):
a lab folder named with spaces and non-ASCII letters runs; a lab from elsewhere that asks
for a network gets it only with --allow network, and the JSON and the narration say so."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

SCENARIO = """
    import os
    from labkit import checkpoint

    checkpoint("inside", uid=os.getuid(), interfaces=sorted(os.listdir("/sys/class/net")))
"""
CHECKS = """
    from proclab.checks import check, expect

    @check("the scenario reached its checkpoint")
    def reached(lab):
        cp = lab.checkpoint("inside")
        return expect(cp.data["uid"] == 1000, f"uid {cp.data['uid']}, interfaces {cp.data['interfaces']}")
"""


def test_a_lab_named_with_spaces_and_non_ascii_letters_runs(tmp_path, lab_image):
    lab = write_lab(
        tmp_path, "my lab ü 日本", SCENARIO, '[[variant]]\nname = "première variante"\n', CHECKS
    )
    res = run_cli("run", str(lab), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = printed(res.stdout)
    run = doc["runs"][0]
    assert doc["passed"] and doc["lab"] == lab.name and run["variant"] == "première variante"
    assert run["containment"]["weakened"] == [] and run["containment"]["network"] == "none"
    assert containers_of(lab.name) == []


def test_a_network_only_with_consent_and_shown(tmp_path, lab_image):
    lab = write_lab(tmp_path, "wants-network", SCENARIO, "[settings]\nnetwork = true\n", CHECKS)
    refused = run_cli("run", str(lab))
    assert (
        refused.returncode == 2
        and "network = True (has a network beyond loopback" in refused.stderr
    )
    assert containers_of(lab.name) == []

    res = run_cli("run", str(lab), "--allow", "network", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = printed(res.stdout)
    box = doc["runs"][0]["containment"]
    assert (
        box["network"] == "bridge"
        and box["weakened"] == ["network"]
        and box["granted_by"] == "--allow"
    )
    assert box["cap_drop"] == ["ALL"] and box["no_new_privileges"] and box["read_only_root"]
    inside = doc["checkpoints"][0]["data"]
    assert "eth0" in inside["interfaces"], inside  # what the JSON says is what the container got

    told = run_cli("run", str(lab), "--allow", "network")
    assert told.returncode == 0, told.stdout + told.stderr
    line = next(ln for ln in told.stdout.splitlines() if "container:" in ln)
    assert (
        "network bridge" in line and "beyond least privilege: network (granted by --allow)" in line
    )
    assert containers_of(lab.name) == []
