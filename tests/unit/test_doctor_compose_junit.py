"""proclab doctor's pure parts for CI: a Compose service (as `docker compose config --format json`
prints it) turned into the doctor's options, and the JUnit XML of results (read back by junitparser)."""
from __future__ import annotations

import pytest
from junitparser import Failure, JUnitXml, Skipped

from proclab.doctor.compose_service import needs_others, seconds, service_options
from proclab.doctor.junit import junit_xml
from proclab.doctor.model import DoctorOptions
from proclab.lab.result import CheckResult, LabResult


@pytest.mark.parametrize("text, s", [("10s", 10), ("1m30s", 90), ("500ms", 1), ("2m", 120), (3, 3)])
def test_compose_durations(text, s):
    assert seconds(text) == s


def test_a_service_is_run_as_compose_would_run_it():
    svc = {"image": "img", "entrypoint": ["python3"], "command": ["/app.py"], "init": True, "user": "65534",
           "environment": {"A": "1", "B": None}, "cap_drop": ["KILL"], "cap_add": ["CAP_SYS_PTRACE"],
           "stop_signal": "SIGINT", "stop_grace_period": "1m", "read_only": True, "pids_limit": 100,
           "mem_limit": "268435456", "networks": {"default": None}}
    o = service_options("app", svc, DoctorOptions("", grace_from_default=True)).options
    assert o is not None and o.image == "img" and o.entrypoint == ("python3",) and o.command == ("/app.py",)
    assert o.init and o.user == "65534" and o.env == {"A": "1", "B": ""} and o.cap_drop == ("CAP_KILL",)
    assert o.cap_add == ("CAP_SYS_PTRACE",) and o.stop_signal == "SIGINT" and o.grace_s == 60 and o.read_only
    assert o.pids_limit == 100 and o.memory == "268435456b"
    plain = service_options("web", {"image": "nginx", "networks": {"default": None}},
                            DoctorOptions("", grace_from_default=True)).options
    assert plain is not None and plain.grace_s == 10 and plain.entrypoint is None    # Compose's default grace


@pytest.mark.parametrize("svc, words", [({"depends_on": {"db": {}}}, "depends on db"),
                                        ({"networks": {"back": None}}, "network(s) back"),
                                        ({"network_mode": "service:db"}, "shares another's network")])
def test_a_service_that_needs_others_is_not_checkable_alone(svc, words):
    assert words in needs_others(svc)
    s = service_options("x", {"image": "i", **svc}, DoctorOptions(""))
    assert s.options is None and words in s.why_not


def test_junit_has_one_testcase_per_check_with_the_evidence_as_the_failure(tmp_path):
    checks = [CheckResult("who is pid 1", True, "pid 1 is tini", {"verdict": "ok"}),
              CheckResult("docker stop", False, "SIGKILLed after 2 s. Fix: --init", {"verdict": "problem"}),
              CheckResult("reaping", "inconclusive", "inconclusive: no orphan", {"verdict": "inconclusive"})]
    r = LabResult(lab="doctor", title="pid 1 of img", path="img", runs=[], checks=checks, duration_s=1.0)
    path = tmp_path / "j.xml"
    path.write_text(junit_xml([("pid 1 of img", r)], {"worker": "it depends on web (depends_on)"}))
    suites = {s.name: s for s in JUnitXml.fromfile(str(path))}
    cases = {c.name: c for c in suites["pid 1 of img"]}
    assert len(cases) == 3 and cases["who is pid 1"].is_passed
    (fail,) = cases["docker stop"].result
    assert isinstance(fail, Failure) and fail.message == "SIGKILLed after 2 s. Fix: --init"
    assert isinstance(cases["reaping"].result[0], Skipped)
    (w,) = list(suites["service worker"])
    assert isinstance(w.result[0], Skipped) and "depends on web" in w.result[0].message
