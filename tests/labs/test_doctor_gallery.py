"""proclab doctor on a gallery of real images built offline from the local Debian base
(tests/labs/data/doctor-gallery/Dockerfile, one stage per case; its README says why each
expected verdict is right: measured with plain docker run / docker stop), each with its
expected verdict per check; the CLI in-process, its --json document read back."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.doctor import GRACE, build_gallery, by_key, doctor
from tests.support.tinylab import containers_of

pytestmark = [pytest.mark.lab, pytest.mark.docker]

OK, BAD, NOTE = "ok", "problem", "note"
TRACED = "problem when traced"
GOOD = dict(pid1=OK, zombies=OK, reaping=OK, stop=OK, sigint=OK, forwarding=OK)


def v(**bad: str) -> dict[str, str]:
    return {**GOOD, **bad}


# case -> (image stage, extra arguments, {check: verdict}, docker stop's exit code, the masks' prediction)
GALLERY = {
    "python-pid1": ("python-pid1", (), v(reaping=BAD, stop=BAD), 137, "confirmed"),
    "python-pid1 --init": ("python-pid1", ("--init",), GOOD, 143, "confirmed"),
    "stopsignal": ("stopsignal", (), v(reaping=BAD), 130, "confirmed"),
    "shell-noexec": (
        "shell-noexec",
        (),
        v(pid1=NOTE, stop=BAD, sigint=BAD, forwarding=BAD),
        137,
        "confirmed",
    ),
    "shell-exec": ("shell-exec", (), v(reaping=BAD), 0, "confirmed"),
    "tini": ("tini", (), GOOD, 143, "confirmed"),
    "dumb-init": ("dumb-init", (), GOOD, 143, "confirmed"),
    "handler": ("handler", (), v(reaping=BAD), 0, "confirmed"),
    "shell-pid1": (
        "shell-pid1",
        (),
        v(pid1=NOTE, stop=BAD, sigint=BAD, forwarding=BAD),
        137,
        "confirmed",
    ),
    "bare (no python, no sh)": ("bare", (), v(reaping=BAD, stop=BAD, sigint=BAD), 137, "confirmed"),
    "bare --init": ("bare", ("--init",), GOOD, 143, "confirmed"),
    # issue 30's two cases
    "bash trap init": ("bash-trap", (), v(pid1=NOTE), 0, "confirmed"),
    "tini + 3 zombies at rest": ("tini-zombies", (), v(zombies=BAD), 0, "confirmed"),
    # wrappers that do and do not signal the whole group
    "dumb-init signals the group": ("dumb-init-group", (), GOOD, 0, "confirmed"),
    # forwarding=TRACED: whether python3 got SIGTERM or only the namespace's SIGKILL is told by the kernel's
    # record (a problem); without it, by a race the doctor's watcher wins only sometimes: then not asserted
    "tini, sh -c 'app; echo bye'": (
        "tini-sh-c",
        (),
        v(sigint=BAD, forwarding=TRACED),
        143,
        "confirmed",
    ),
    "a handler slower than the grace period": (
        "slow-handler",
        (),
        v(reaping=BAD, stop=BAD),
        137,
        "refuted",
    ),
    "shell-less, tini-static": ("bare-tini", (), GOOD, 143, "confirmed"),
    # real daemons from Debian's packages (issue 35)
    "nginx (STOPSIGNAL SIGQUIT, HEALTHCHECK)": ("nginx", (), GOOD, 0, "confirmed"),
    "redis-server behind gosu": ("redis", (), v(reaping=BAD), 0, "confirmed"),
    "redis-server behind gosu --init": ("redis", ("--init",), GOOD, 0, "confirmed"),
    "root entrypoint chowns, setpriv, tini": ("tini-chown", (), GOOD, 143, "confirmed"),
    "the same --cap-drop KILL": (
        "tini-chown",
        ("--cap-drop", "KILL"),
        v(forwarding=BAD),
        1,
        "confirmed",
    ),
    # supervisord stops its program and polls for its end once a second: a grace period of 5 s.
    # Up is its program's "app: up" (--ready-log, as an engineer would give a supervisor): on a busy
    # host a quiet table came before supervisord had started the program (CI), and a SIGINT then
    # reached supervisord in its start-up and was not acted on within 5 s.
    "supervisord, one program": (
        "supervisord",
        ("-t", "5", "--ready-log", "app: up"),
        GOOD,
        0,
        "confirmed",
    ),
    "memcached -u memcache": ("memcached", (), v(reaping=BAD), 0, "confirmed"),
    "cron -f": ("cron", (), v(stop=BAD, sigint=BAD), 137, "confirmed"),
    "rsyslogd -n": ("rsyslog", (), GOOD, 0, "confirmed"),
    "dnsmasq -k": ("dnsmasq", (), v(sigint=BAD), 0, "confirmed"),
}
# the fix a problem names, per check and case
FIXES = {
    ("shell-noexec", "forwarding"): "exec",
    ("shell-pid1", "stop"): "exec",
    ("python-pid1", "reaping"): "--init",
    ("python-pid1", "stop"): "SIGTERM handler",
    ("bare (no python, no sh)", "sigint"): "--init",
    ("tini + 3 zombies at rest", "zombies"): "SIG_IGN",
    ("redis-server behind gosu", "reaping"): "--init",
    ("a handler slower than the grace period", "stop"): "longer grace period",
    ("the same --cap-drop KILL", "forwarding"): "CAP_KILL",
    ("cron -f", "stop"): "--init",
}


@pytest.fixture(scope="module")
def gallery(docker_engine):
    """The gallery's images (built once; current ones are reused) and the doctor's helper image."""
    return build_gallery({g[0] for g in GALLERY.values()} | {"early-exit"})


def verdicts(doc: dict) -> dict[str, str]:
    out = {}
    for key, c in by_key(doc).items():
        out[key] = c["figures"]["verdict"]
        assert c["passed"] == (out[key] in ("ok", "note")), c
    return out


def explain(doc: dict) -> str:
    return "\n".join(
        f"{c['figures'].get('verdict')}: {c['name']}: {c['detail']}" for c in doc["checks"]
    )


@pytest.mark.parametrize("case", GALLERY)
def test_gallery_verdict(gallery, case):
    stage, extra, expected, stop_code, predicted = GALLERY[case]
    code, doc, err = doctor(gallery[stage], *extra)
    got = verdicts(doc)
    traced = by_key(doc)["kernel"]["figures"]["recorded"]
    expected = {k: (BAD if traced else None) if x == TRACED else x for k, x in expected.items()}
    unasserted = {k for k, x in expected.items() if x is None}
    assert {
        k: x for k, x in got.items() if k not in {"limits", "masks", "kernel"} | unasserted
    } == {k: x for k, x in expected.items() if k not in unasserted}, explain(doc)
    assert got["limits"] == "note" and got["masks"] == "note" and got["kernel"] == "note"
    masks = by_key(doc)["masks"]["figures"]
    assert masks["outcome"] == predicted, explain(doc)
    assert masks["masks"][0]["pid"] == 1 and {"SigCgt", "SigIgn", "SigBlk"} <= set(
        masks["masks"][0]
    )
    signal = {"stopsignal": "SIGINT", "nginx": "SIGQUIT"}.get(stage, "SIGTERM")
    assert by_key(doc)["stop"]["figures"]["signal"] == signal
    assert code == (0 if all(x in (OK, NOTE) for x in got.values()) else 1), err
    assert doc["passed"] == (code == 0)
    stop = next(a for a in doc["runs"][0]["actions"] if a["do"] == "stop")
    grace = int(extra[extra.index("-t") + 1]) if "-t" in extra else GRACE
    assert stop["exit_code"] == stop_code and stop["grace_s"] == grace, stop
    if stop_code == 137:
        assert stop["took_s"] >= grace  # SIGKILLed at the end of the grace period
    for (fix_case, key), words in FIXES.items():
        if fix_case == case:
            check = by_key(doc)[key]
            assert words in check["figures"]["fix"] and check["detail"].endswith(
                check["figures"]["fix"]
            ), check
    assert containers_of("doctor") == []


def test_the_document_holds_the_snapshots_that_prove_it(gallery):
    """python-pid1: the orphan is Z with ppid 1 in the snapshot after its exit, and the
    evidence names it; the run carries settings, output and both containers' endings."""
    code, doc, err = doctor(
        gallery["python-pid1"],
        "--ready-log",
        "^app: up$",
        "-e",
        "GREETING=hi",
        "-u",
        "1000",
        "--timings",
    )
    assert code == 1 and "where the time went" in err and "signal + wait" in err
    assert set(doc) >= {"lab", "title", "path", "passed", "checks", "checkpoints", "runs"}
    assert "output" in doc["runs"][0]  # the output is held once, per run
    names = [cp["name"] for cp in doc["checkpoints"]]
    settings = doc["runs"][0]["settings"]
    assert {(a["what"], a["value"], a["option"]) for a in settings["added"]} == {
        ("pids limit", "512", "--pids-limit"),
        ("memory limit", "1g", "--memory"),
        ("network", "none", "--network"),
    }
    # the stop container's tables, then the orphan's container's (the third, run alongside)
    assert names == ["ready", "before-stop", "orphan-adopted", "orphan-exited"], names
    assert [cp["run"] for cp in doc["checkpoints"]] == ["stop", "stop", "orphan", "orphan"]
    orphan = doc["runs"][2]["actions"][0]["made_orphan"]
    after = next(cp for cp in doc["checkpoints"] if cp["name"] == "orphan-exited")
    (z,) = [p for p in after["processes"] if p["pid"] == orphan]
    assert z["state"] == "Z" and z["ppid"] == 1
    reaping = next(c for c in doc["checks"] if c["name"].startswith("reaping"))
    assert f"pid {orphan}" in reaping["detail"] and reaping["figures"]["adopted_by"] == 1
    pid1 = next(p for p in doc["checkpoints"][0]["processes"] if p["pid"] == 1)
    assert pid1["user"] == "uid 1000" and pid1["cmdline"] == ["python3", "/gallery/app.py"]
    assert (
        settings["ready"]["how"] == "log"
        and settings["env"] == ["GREETING"]
        and settings["user"] == "1000"
    )
    assert any("app: up" in o["text"] for r in doc["runs"] for o in r["output"])
    assert [r["variant"] for r in doc["runs"]] == ["stop", "sigint", "orphan"]
    assert doc["runs"][1]["exit_code"] == 130
    # where the time went: each container's steps, in the order they ran (bench/doctor.py reads these)
    steps = {
        c: [t["step"] for t in settings["timings"] if t["container"] == c]
        for c in ("stop", "sigint", "orphan")
    }
    assert steps["stop"][0] == "create" and {
        "start",
        "up",
        "snapshot",
        "signal + wait",
    } <= set(steps["stop"])
    assert "orphan" not in steps["stop"]  # off docker stop's path: its own container
    assert steps["sigint"] == ["create", "start", "up", "signal masks", "signal + wait", "ending"]
    assert steps["orphan"] == ["create", "kit", "start", "up", "snapshot", "orphan"]
    assert all(t["took_s"] >= 0 and t["start_s"] >= 0 for t in settings["timings"])
    # the table at rest is the table docker stop met: one read, two names
    ready, before = doc["checkpoints"][:2]
    assert before["processes"] == ready["processes"] and before["at_s"] == ready["at_s"]


def test_a_command_that_exits_at_once_is_a_problem_not_a_crash(gallery):
    code, doc, err = doctor(gallery["bare"], "--", "/bin/sleep", "0")
    assert code == 1 and "Traceback" not in err
    (check,) = doc["checks"]
    assert check["name"] == "it starts and stays up" and "before it was up" in check["detail"], (
        check
    )
    assert containers_of("doctor") == []


def test_a_missing_image_is_one_error_line(docker_engine):
    res = run_cli("doctor", "proclab/no-such-image:nope")
    assert res.returncode == 2 and res.stderr.startswith(
        "Error: there is no image proclab/no-such-image:nope"
    )
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_ctrl_c_removes_all_its_containers(gallery):
    import os
    import signal

    from tests.support.harness import Harness

    # a subprocess: the test signals the harness process itself
    h = Harness("doctor", "-t", str(GRACE), gallery["shell-pid1"])
    try:
        h.wait_for("reading the table at rest")  # the three containers exist by now
        assert len(containers_of("doctor")) == 3
        os.killpg(h.proc.pid, signal.SIGINT)
        assert h.finish() == 130, h.output
    finally:
        h.kill()
    assert "Interrupted" in h.output
    assert containers_of("doctor") == []


EARLY = ("python3", "/gallery/app.py", "--exit-after")


@pytest.mark.parametrize("after", ["0.1", "0.5", "1", "2"])
def test_an_image_that_ends_on_its_own_gets_the_one_stays_up_verdict(gallery, after):
    """It ignores SIGTERM and SIGINT and exits 3 after N s: before, during or after a probe, in
    either container, the verdict is "it does not stay up", never an Error: or exit 2."""
    code, doc, err = doctor(gallery["early-exit"], "--", *EARLY, after)
    assert code == 1 and "Error:" not in err and "Traceback" not in err, err
    (check,) = doc["checks"]
    assert check["name"] == "it starts and stays up" and check["figures"]["verdict"] == "problem", (
        check
    )
    assert check["figures"]["exit_code"] == 3 and "exit code 3" in check["detail"]
    assert (
        "exiting on my own" in check["detail"]
        and "stay up until it is told to stop" in check["detail"]
    )
    assert containers_of("doctor") == []


def test_an_image_that_ends_only_in_the_sigint_container_is_caught(gallery):
    """It stays up where the doctor's kit is (the stop container only) and ends after 1 s elsewhere."""
    code, doc, err = doctor(
        gallery["early-exit"], "--", *EARLY, "1", "--exit-unless", "/.proclab-doctor/busybox"
    )
    assert code == 1 and "Error:" not in err, err
    (check,) = doc["checks"]
    assert (
        check["name"] == "it starts and stays up" and check["figures"]["container"] == "sigint"
    ), check
    assert [e["container"] for e in check["figures"]["ended"]] == ["sigint"]
    assert (
        "the sigint container (the others stayed up)" in check["detail"]
        and "exit code 3" in check["detail"]
    )
    assert containers_of("doctor") == []


def test_a_limit_that_kills_it_is_named_with_its_option(gallery):
    code, doc, _ = doctor(
        gallery["python-pid1"],
        "--pids-limit",
        "8",
        "--",
        "python3",
        "/gallery/app.py",
        "--children",
        "20",
    )
    (check,) = doc["checks"]
    assert code == 1 and "pids limit 8 (--pids-limit, given)" in check["detail"], check
    code, doc, _ = doctor(
        gallery["python-pid1"], "--memory", "8m", "--", "python3", "-c", "x = bytearray(64 << 20)"
    )
    (check,) = doc["checks"]
    assert code == 1 and check["figures"]["oom_killed"] and "--memory" in check["detail"], check
    assert containers_of("doctor") == []


def test_the_kernels_record_says_who_got_docker_stops_signal(gallery):
    """tini → sh -c "python3 app.py; echo bye": the record shows tini passing SIGTERM to sh only, and
    python3 dying of the namespace's SIGKILL; with --no-trace the same verdict is said to be inferred."""
    code, doc, _ = doctor(gallery["tini-sh-c"])
    kernel = by_key(doc)["kernel"]
    if not kernel["figures"]["recorded"]:
        pytest.fail(
            f"this host keeps no kernel record ({kernel['detail']}): run as root with tracefs"
        )
    assert any(
        line.startswith("SIGTERM from docker (outside) to 1 tini")
        for line in kernel["figures"]["signals"]
    )
    assert any(
        " to 1 tini: " not in line and "from 1 tini to" in line and " sh: " in line
        for line in kernel["figures"]["signals"]
    ), kernel
    assert any("python3" in who for who in kernel["figures"]["killed_untold"]), kernel
    fwd = by_key(doc)["forwarding"]
    assert (
        fwd["figures"]["verdict"] == "problem"
        and fwd["figures"]["evidence"] == "the kernel's record"
    )
    assert "never sent SIGTERM and died of SIGKILL" in fwd["detail"]
    assert doc["runs"][0]["kernel_record"]["recorded"] and doc["runs"][0]["events"]
    code, doc, _ = doctor(gallery["python-pid1"])
    assert (
        "SIGTERM from docker (outside) to 1 python3: dropped by the kernel (pid 1 with no handler)"
        in by_key(doc)["kernel"]["detail"]
    )
    code, doc, _ = doctor(gallery["tini"], "--no-trace")
    assert "no kernel record (turned off (--no-trace))" in by_key(doc)["kernel"]["detail"]
    assert "inferred from timing and exit codes" in by_key(doc)["forwarding"]["detail"]
    assert containers_of("doctor") == []
