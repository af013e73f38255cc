"""proclab doctor on a gallery of real images built offline from the local Debian base
(tests/labs/data/doctor-gallery/Dockerfile, one stage per case), each with its expected
verdict per check; the CLI in-process, its --json document read back."""
from __future__ import annotations

import json

import pytest

from proclab.engine import images
from tests.support.cli import run_cli
from tests.support.tinylab import containers_of

pytestmark = [pytest.mark.lab, pytest.mark.docker]

GALLERY_DIR = "tests/labs/data/doctor-gallery"
OK, BAD = "ok", "problem"
KEYS = {"who is pid 1": "pid1", "reaping": "reaping", "docker stop": "stop", "SIGINT": "sigint",
        "signal forwarding": "forwarding", "pids and limits": "limits"}

# case -> (image stage, extra arguments, {check: verdict}, docker stop's exit code)
GALLERY = {
    "python-pid1": ("python-pid1", (), dict(pid1=OK, reaping=BAD, stop=BAD, sigint=OK, forwarding=OK), 137),
    "python-pid1 --init": ("python-pid1", ("--init",), dict(pid1=OK, reaping=OK, stop=OK, sigint=OK, forwarding=OK), 143),
    "stopsignal": ("stopsignal", (), dict(pid1=OK, reaping=BAD, stop=OK, sigint=OK, forwarding=OK), 130),
    "shell-noexec": ("shell-noexec", (), dict(pid1=BAD, reaping=OK, stop=BAD, sigint=BAD, forwarding=BAD), 137),
    "shell-exec": ("shell-exec", (), dict(pid1=OK, reaping=BAD, stop=OK, sigint=OK, forwarding=OK), 0),
    "tini": ("tini", (), dict(pid1=OK, reaping=OK, stop=OK, sigint=OK, forwarding=OK), 143),
    "dumb-init": ("dumb-init", (), dict(pid1=OK, reaping=OK, stop=OK, sigint=OK, forwarding=OK), 143),
    "handler": ("handler", (), dict(pid1=OK, reaping=BAD, stop=OK, sigint=OK, forwarding=OK), 0),
    "shell-pid1": ("shell-pid1", (), dict(pid1=BAD, reaping=OK, stop=BAD, sigint=BAD, forwarding=BAD), 137),
    "bare (no python, no sh)": ("bare", (), dict(pid1=OK, reaping=BAD, stop=BAD, sigint=BAD, forwarding=OK), 137),
    "bare --init": ("bare", ("--init",), dict(pid1=OK, reaping=OK, stop=OK, sigint=OK, forwarding=OK), 143),
}
# the fix a problem names, per check and case
FIXES = {("shell-noexec", "pid1"): "exec", ("shell-pid1", "stop"): "exec", ("python-pid1", "reaping"): "--init",
         ("python-pid1", "stop"): "SIGTERM handler", ("bare (no python, no sh)", "sigint"): "--init"}
GRACE = 2


def gallery_spec(stage: str) -> images.ImageSpec:
    return images.ImageSpec(f"doctor-gallery-{stage}", f"{GALLERY_DIR}/Dockerfile", (GALLERY_DIR,), target=stage)


@pytest.fixture(scope="module")
def gallery(docker_engine):
    """The gallery's images (built once; current ones are reused) and the doctor's helper image."""
    images.ensure("doctor")
    return {stage: images.build(gallery_spec(stage)) for stage in {v[0] for v in GALLERY.values()}}


def doctor(*args: str) -> tuple[int, dict, str]:
    res = run_cli("doctor", "-t", str(GRACE), "--json", *args)
    assert res.stdout.strip(), res.stderr
    return res.returncode, json.loads(res.stdout), res.stderr


def by_key(doc: dict) -> dict[str, dict]:
    return {next(k for prefix, k in KEYS.items() if c["name"].startswith(prefix)): c for c in doc["checks"]}


def verdicts(doc: dict) -> dict[str, str]:
    out = {}
    for key, c in by_key(doc).items():
        out[key] = c["figures"]["verdict"]
        assert c["passed"] == (out[key] in ("ok", "note")), c
    return out


def explain(doc: dict) -> str:
    return "\n".join(f"{c['figures'].get('verdict')}: {c['name']}: {c['detail']}" for c in doc["checks"])


@pytest.mark.parametrize("case", GALLERY)
def test_gallery_verdict(gallery, case):
    stage, extra, expected, stop_code = GALLERY[case]
    code, doc, err = doctor(gallery[stage], *extra)
    got = verdicts(doc)
    assert {k: v for k, v in got.items() if k != "limits"} == expected, explain(doc)
    assert got["limits"] == "note"
    assert by_key(doc)["stop"]["figures"]["signal"] == ("SIGINT" if stage == "stopsignal" else "SIGTERM")
    assert code == (0 if all(v == OK for v in expected.values()) else 1), err
    assert doc["passed"] == (code == 0)
    stop = next(a for a in doc["runs"][0]["actions"] if a["do"] == "stop")
    assert stop["exit_code"] == stop_code and stop["grace_s"] == GRACE, stop
    if stop_code == 137:
        assert stop["took_s"] >= GRACE          # SIGKILLed at the end of the grace period
    for (fix_case, key), words in FIXES.items():
        if fix_case == case:
            check = by_key(doc)[key]
            assert words in check["figures"]["fix"] and check["detail"].endswith(check["figures"]["fix"]), check
    assert containers_of("doctor") == []


def test_the_document_holds_the_snapshots_that_prove_it(gallery):
    """python-pid1: the orphan is Z with ppid 1 in the snapshot after its exit, and the
    evidence names it; the run carries settings, output and both containers' endings."""
    code, doc, _ = doctor(gallery["python-pid1"], "--ready-log", "^app: up$", "-e", "GREETING=hi", "-u", "1000")
    assert code == 1
    assert set(doc) >= {"lab", "title", "path", "passed", "checks", "checkpoints", "runs"}
    assert "output" in doc["runs"][0]       # the output is held once, per run
    names = [cp["name"] for cp in doc["checkpoints"]]
    assert names == ["ready", "orphan-adopted", "orphan-exited", "before-stop"], names
    orphan = doc["runs"][0]["actions"][0]["made_orphan"]
    after = next(cp for cp in doc["checkpoints"] if cp["name"] == "orphan-exited")
    (z,) = [p for p in after["processes"] if p["pid"] == orphan]
    assert z["state"] == "Z" and z["ppid"] == 1
    reaping = next(c for c in doc["checks"] if c["name"].startswith("reaping"))
    assert f"pid {orphan}" in reaping["detail"] and reaping["figures"]["adopted_by"] == 1
    pid1 = next(p for p in doc["checkpoints"][0]["processes"] if p["pid"] == 1)
    assert pid1["user"] == "uid 1000" and pid1["cmdline"] == ["python3", "/gallery/app.py"]
    settings = doc["runs"][0]["settings"]
    assert settings["ready"]["how"] == "log" and settings["env"] == ["GREETING"] and settings["user"] == "1000"
    assert any("app: up" in o["text"] for r in doc["runs"] for o in r["output"])
    assert [r["variant"] for r in doc["runs"]] == ["stop", "sigint"]
    assert doc["runs"][1]["exit_code"] == 130


def test_a_command_that_exits_at_once_is_a_problem_not_a_crash(gallery):
    code, doc, err = doctor(gallery["bare"], "--", "/bin/sleep", "0")
    assert code == 1 and "Traceback" not in err
    (check,) = doc["checks"]
    assert check["name"] == "it starts and stays up" and "exited before it was up" in check["detail"], check
    assert containers_of("doctor") == []


def test_a_missing_image_is_one_error_line(docker_engine):
    res = run_cli("doctor", "proclab/no-such-image:nope")
    assert res.returncode == 2 and res.stderr.startswith("Error: there is no image proclab/no-such-image:nope")
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_ctrl_c_removes_both_containers(gallery):
    import os
    import signal

    from tests.support.harness import Harness

    # a subprocess: the test signals the harness process itself
    h = Harness("doctor", "-t", str(GRACE), gallery["shell-pid1"])
    try:
        h.wait_for("making an orphan")          # both containers exist by now
        assert containers_of("doctor")
        os.killpg(h.proc.pid, signal.SIGINT)
        assert h.finish() == 130, h.output
    finally:
        h.kill()
    assert "Interrupted" in h.output
    assert containers_of("doctor") == []
