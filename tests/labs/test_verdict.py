"""The verdict never lies, in real containers: a check returning False fails; a scenario that
crashes after its last checkpoint, or is killed by the memory limit, fails the lab with its
cause; a check calling sys.exit() or running past its time limit fails and the harness goes on;
``proclab mutate`` names a check that cannot fail."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.tinylab import containers_of, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

SCENARIO = 'from labkit import checkpoint\ncheckpoint("ready", n=1)\n'


def test_a_check_returning_false_fails_the_lab(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "false-check",
        SCENARIO,
        checks="""\
        from proclab.checks import check

        @check("n is 999")
        def n(lab):
            return lab.checkpoint("ready").data["n"] == 999
    """,
    )
    res = run_cli("run", str(lab), "--json")
    doc = printed(res.stdout)
    assert res.returncode == 1 and not doc["passed"], res.stdout
    (c,) = doc["checks"]
    assert not c["passed"] and "returned False" in c["detail"]
    assert containers_of(lab.name) == []


def test_a_crash_after_the_last_checkpoint_fails_the_lab_with_its_traceback(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "late-crash",
        SCENARIO + 'raise RuntimeError("after the last checkpoint")\n',
        checks="""\
        from proclab.checks import check, expect

        @check("n is 1")
        def n(lab):
            n = lab.checkpoint("ready").data["n"]
            return expect(n == 1, f"n = {n}")
    """,
    )
    res = run_cli("run", str(lab))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "✔ n is 1" in res.stdout  # the check passed; the run's end failed the lab
    assert (
        "the scenario crashed after checkpoint 'ready' (exit 1): RuntimeError: after the last checkpoint"
        in res.stdout
    ), res.stdout
    assert 'File "/lab/scenario.py"' in res.stdout and "FAILED" in res.stdout
    doc = printed(run_cli("run", str(lab), "--json").stdout)
    assert not doc["passed"] and "RuntimeError" in doc["runs"][0]["error"]


def test_the_oom_killer_at_the_memory_limit_is_named(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "oom",
        SCENARIO + 'hog = b"x" * (400 << 20)\n',
        toml="""\
        [settings]
        mem_limit = "96m"
    """,
    )
    doc = printed(run_cli("run", str(lab), "--json").stdout)
    run = doc["runs"][0]
    assert not doc["passed"] and run["exit_code"] == 137 and run["oom_killed"], run
    assert "OOM killer" in run["error"] and "96m" in run["error"], run["error"]


def test_a_declared_exit_passes_and_a_different_one_fails(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "exit-3",
        SCENARIO + "raise SystemExit(3)\n",
        toml="""\
        [[variant]]
        name = "three"
        expect_exit = 3

        [[variant]]
        name = "undeclared"
    """,
    )
    doc = printed(run_cli("run", str(lab), "--json").stdout)
    runs = {r["variant"]: r for r in doc["runs"]}
    assert runs["three"]["exit_code"] == 3 and runs["three"]["error"] is None
    assert "exited 3 after checkpoint 'ready'" in runs["undeclared"]["error"]
    assert not doc["passed"]


def test_sys_exit_and_a_slow_check_fail_and_the_harness_carries_on(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "bad-checks",
        SCENARIO,
        toml="check_timeout_s = 1\n",
        checks="""\
        import sys
        import threading
        from proclab.checks import check, expect

        @check("leaves")
        def leaves(lab):
            sys.exit(0)

        @check("hangs")
        def hangs(lab):
            threading.Event().wait()

        @check("n is 1")
        def n(lab):
            return expect(lab.checkpoint("ready").data["n"] == 1, "n = 1")
    """,
    )
    res = run_cli("run", str(lab), "--json")
    doc = printed(res.stdout)
    assert res.returncode == 1
    checks = {c["name"]: c for c in doc["checks"]}
    assert "called sys.exit(0)" in checks["leaves"]["detail"]
    assert "took longer than 1 s" in checks["hangs"]["detail"]
    assert checks["n is 1"]["passed"]


def test_proclab_mutate_names_the_check_that_cannot_fail(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "vacuous",
        SCENARIO,
        checks="""\
        from proclab.checks import check, expect

        @check("always fine")
        def vacuous(lab):
            return expect(True, "ok")

        @check("n is 1")
        def n(lab):
            n = lab.checkpoint("ready").data["n"]
            return expect(n == 1, f"n = {n}")
    """,
    )
    res = run_cli("mutate", str(lab))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "always fine" in res.stdout and "cannot be made to fail: always fine" in res.stdout, (
        res.stdout
    )
    doc = printed(run_cli("mutate", str(lab), "--json").stdout)
    by = {c["check"]: c for c in doc["checks"]}
    assert not by["always fine"]["can_fail"] and by["always fine"]["failed_by"] is None
    assert by["n is 1"]["can_fail"] and "data['n']" in by["n is 1"]["failed_by"]
    assert not doc["every_check_can_fail"]
    assert containers_of(lab.name) == []


def test_proclab_mutate_exits_0_when_every_check_can_fail_and_2_for_a_bad_lab(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "honest",
        SCENARIO,
        checks="""\
        from proclab.checks import check, expect

        @check("n is 1")
        def n(lab):
            n = lab.checkpoint("ready").data["n"]
            return expect(n == 1, f"n = {n}")
    """,
    )
    res = run_cli("mutate", str(lab))
    assert res.returncode == 0, res.stdout + res.stderr
    bad = run_cli("mutate", str(tmp_path / "nowhere"))
    assert bad.returncode == 2 and bad.stderr.startswith("Error:"), bad.stderr
