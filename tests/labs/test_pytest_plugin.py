"""The pytest plugin: a lab folder's checks are pytest items, run in real containers."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET

import pytest

pytestmark = [pytest.mark.lab, pytest.mark.docker]
pytest_plugins = ["pytester"]

SCENARIO = """
    import os
    from labkit import checkpoint
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    checkpoint("zombie", child=pid)
    os.waitpid(pid, 0)
"""
CHECKS = """
    from proclab.checks import check, expect

    @check("the child is a zombie")
    def zombie(lab):
        cp = lab.checkpoint("zombie")
        z = cp.process(cp.data["child"])
        return expect(z.state == "Z", f"psutil: {z}")

    @check("the child is running (wrong on purpose)")
    def wrong(lab):
        cp = lab.checkpoint("zombie")
        z = cp.process(cp.data["child"])
        return expect(z.state == "R", f"psutil says {z.state}: {z}")
"""


def make_lab(root, name, scenario=SCENARIO, checks=CHECKS):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "scenario.py").write_text(textwrap.dedent(scenario))
    (folder / "checks.py").write_text(textwrap.dedent(checks))
    return folder


def test_each_check_is_an_item_with_its_evidence_and_junit_works(pytester, lab_image):
    make_lab(pytester.path / "labs", "mylab")
    junit = pytester.path / "junit.xml"
    res = pytester.runpytest_subprocess(
        "labs", "-v", "-p", "no:cacheprovider", f"--junitxml={junit}"
    )
    res.assert_outcomes(passed=2, failed=1)
    out = res.stdout.str()
    assert "mylab/scenario.py::the child is a zombie PASSED" in out
    assert "mylab/scenario.py::the child is running (wrong on purpose) FAILED" in out
    assert "evidence: psutil says Z" in out
    cases = ET.parse(junit).getroot().iter("testcase")
    names = sorted(c.get("name") for c in cases)
    assert names == sorted(
        [
            "the scenario ran as its variants declare",
            "the child is a zombie",
            "the child is running (wrong on purpose)",
        ]
    ), names


def test_k_selects_checks_and_a_broken_lab_is_one_failing_item(pytester, lab_image):
    make_lab(pytester.path / "labs", "good")
    broken = make_lab(pytester.path / "labs", "broken")
    (broken / "lab.toml").write_text("[settings]\nno_such_setting = 1\n")
    res = pytester.runpytest_subprocess(
        "labs", "-v", "-p", "no:cacheprovider", "-k", "zombie or broken"
    )
    out = res.stdout.str()
    assert "good/scenario.py::the child is a zombie PASSED" in out
    assert "wrong on purpose" not in out
    assert "broken/scenario.py::the scenario ran as its variants declare FAILED" in out
    assert "lab broken could not run" in out and "unknown setting 'no_such_setting'" in out
    res.assert_outcomes(passed=1, failed=1)


def test_the_fixture_gives_the_result(pytester, lab_image):
    make_lab(pytester.path / "labs", "fixlab")
    pytester.makepyfile(
        test_mine=f"""
        def test_zombie(proclab_lab):
            result = proclab_lab({str(pytester.path / "labs" / "fixlab")!r})
            assert result.checkpoint("zombie").zombies()
            assert proclab_lab({str(pytester.path / "labs" / "fixlab")!r}) is result   # once per session
    """
    )
    res = pytester.runpytest_subprocess("test_mine.py", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=1)


def test_an_inconclusive_check_is_a_skip_with_its_reason(pytester, lab_image):
    make_lab(
        pytester.path / "labs",
        "busylab",
        checks="""
        from proclab.checks import check, inconclusive

        @check("two CPUs run at once")
        def at_once(lab):
            inconclusive("only 0.61 of 2 CPUs were free in the window")
    """,
    )
    res = pytester.runpytest_subprocess("labs", "-v", "-rs", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=1, skipped=1)
    out = res.stdout.str()
    assert "busylab/scenario.py::two CPUs run at once SKIPPED" in out
    assert "inconclusive: only 0.61 of 2 CPUs were free" in out


def test_proclab_jobs_runs_the_shared_labs_up_front_and_an_exclusive_one_alone(pytester, lab_image):
    for name in ("side1", "side2", "side3"):
        make_lab(pytester.path / "labs", name)
    alone = make_lab(pytester.path / "labs", "alone")
    (alone / "lab.toml").write_text("[settings]\nexclusive = true\n")
    res = pytester.runpytest_subprocess(
        "labs", "-v", "-p", "no:cacheprovider", "--proclab-jobs", "2"
    )
    out = res.stdout.str()
    assert (
        "proclab: running 3 labs 2 at a time (1 CPU-timing labs run alone, in their items)" in out
    )
    for name in ("side1", "side2", "side3", "alone"):
        assert f"{name}/scenario.py::the child is a zombie PASSED" in out
        assert f"{name}/scenario.py::the child is running (wrong on purpose) FAILED" in out
    res.assert_outcomes(passed=8, failed=4)


@pytest.mark.timeout(400)
def test_ctrl_c_during_proclab_jobs_removes_the_running_labs(pytester, lab_image):
    """SIGINT while two labs hang in the up-front pool: pytest ends and leaves no container."""
    import os
    import signal
    import subprocess
    import sys

    from tests.support.tinylab import HANG, HANG_TOML, containers_of, wait_hanging

    names = []
    for i in range(2):
        folder = make_lab(pytester.path / "labs", f"hang{i}-{os.getpid()}", scenario=HANG)
        (folder / "lab.toml").write_text(textwrap.dedent(HANG_TOML.format(timeout=120)))
        names.append(folder.name)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "labs", "-p", "no:cacheprovider", "--proclab-jobs", "2"],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_hanging(names, still_running=lambda: proc.poll() is None)
        os.kill(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 2, out[-2000:]  # pytest's "interrupted"
    assert "KeyboardInterrupt" in out
    assert [c.name for n in names for c in containers_of(n)] == []
