"""proclab doctor without Docker: the /proc dump's parser (a real dump from a gallery image),
pid 1's role, and every verdict's branch on hand-made findings; the CLI's usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from proclab.doctor.model import (
    Disposition,
    DoctorOptions,
    EarlyEnd,
    Fate,
    Findings,
    Masks,
    Orphan,
    Phase,
    Ready,
    Stop,
    reaches_pid1,
    role,
)
from proclab.doctor.procdump import parse_dump, parse_stat, wait_status
from proclab.doctor.verdicts import evaluate
from proclab.lab.result import OutputLine
from proclab.snapshot import Process, Snapshot
from tests.support.cli import run_cli as run

DUMP = (Path(__file__).parent / "fixtures" / "doctor-dump.txt").read_bytes()
STAT = (
    "8 (python3) S 1 1 1 0 -1 4194560 985 0 0 0 1 0 0 0 20 0 1 0 222888 14356480 2230 18446744073709551615 "
    "4321280 7154137 140722659935040 0 0 0 0 16781312 2 1 0 0 17 0 0 0 0 0 0 9727432 11029816 619732992 "
    "140722659938118 140722659938142 140722659938142 140722659938279 {code}"
)


def test_a_real_dump_parses_into_a_snapshot_with_the_probe_marked():
    snap = parse_dump(DUMP, "ready", 1.5)
    assert [p.pid for p in snap.scenario] == [1, 8]
    assert snap.probe_pids == (16,)
    p1, app = snap.process(1), snap.process(8)
    assert p1.cmdline == ("/bin/sh", "/gallery/entry-noexec.sh") and p1.name == "entry-noexec.sh"
    assert app.cmdline == ("python3", "/gallery/app.py") and app.ppid == 1 and app.state == "S"
    assert p1.user == "uid 0" and app.create_time > 1796164000
    assert snap.children(1) == [app]
    assert snap.ps.startswith("PID") and "python3 /gallery/app.py" in snap.ps


def test_a_zombies_stat_line_carries_its_wait_status():
    z = parse_stat(STAT.format(code=15).replace(" S 1 ", " Z 1 ", 1))
    assert z and z["state"] == "Z" and z["ppid"] == 1 and wait_status(z["exit_code"]) == "signal 15"
    assert wait_status(256) == "exit 1" and wait_status(0) == "exit 0" and wait_status(None) is None
    assert parse_stat("not a stat line") is None


def proc(pid: int, ppid: int, *cmd: str, state: str = "S") -> Process:
    return Process(
        pid, ppid, state, "", 0, cmd[0].rsplit("/", 1)[-1][:15], cmd, 0.0, 0.0, 1e9 + pid, 1
    )


@pytest.mark.parametrize(
    "cmd, expected",
    [
        (("sh", "-c", "sleep 1"), "shell"),
        (("/bin/bash", "x.sh"), "shell"),
        (("/sbin/docker-init", "--", "app"), "init"),
        (("tini", "--"), "init"),
        (("/usr/bin/dumb-init", "x"), "init"),
        (("python3", "app.py"), "program"),
    ],
)
def test_role_of_pid1(cmd, expected):
    assert role(proc(1, 0, *cmd)) == expected


def masks(
    pid: int, command: str, caught: int = 0, ignored: int = 0, blocked: int = 0, waited: int = 0
) -> Masks:
    status = f"SigBlk:\t{blocked:016x}\nSigIgn:\t{ignored:016x}\nSigCgt:\t{caught:016x}\n"
    m = Masks.parse(pid, command, status, "test", waited)
    assert m is not None
    return m


TERM, INT = 1 << 14, 1 << 1  # bits of SIGTERM (15) and SIGINT (2) in a /proc mask


def findings(
    procs: list[Process],
    *,
    orphan: Orphan | None = None,
    stop: Stop | None = None,
    sigint: Stop | None = None,
    sig_masks: list[Masks] | None = None,
) -> Findings:
    snaps = [Snapshot("ready", {}, 1.0, 0, procs, "", None)]
    if orphan and orphan.zombie_at_end:
        snaps.append(
            Snapshot(
                "orphan-exited",
                {},
                3.0,
                0,
                procs + [proc(orphan.pid, 1, "busybox", state="Z")],
                "",
                None,
            )
        )
    return Findings(
        DoctorOptions("img", grace_s=2),
        argv=tuple(procs[0].cmdline),
        stop_signal="SIGTERM",
        ready=Ready(True, "stable", 1.0),
        snapshots=snaps,
        orphan=orphan or Orphan(20, 1, exited_at_s=1.0, reaped_at_s=1.01),
        stop=stop or Stop("SIGTERM", 2, 143, 0.1, True),
        sigint=sigint or Stop("SIGINT", 2, 130, 0.1, True),
        sigint_ready=Ready(True, "stable", 1.0),
        masks=sig_masks
        if sig_masks is not None
        else [masks(1, procs[0].command, caught=TERM | INT)],
    )


def verdicts(f: Findings) -> dict[str, tuple[str, str]]:
    return {c.name.split(":")[0]: (c.figures["verdict"], c.detail) for c in evaluate(f)}


def test_python_pid1_without_handler_does_not_reap_and_is_sigkilled():
    f = findings(
        [proc(1, 0, "python3", "app.py")],
        orphan=Orphan(20, 1, exited_at_s=1.0, zombie_at_end=True),
        stop=Stop("SIGTERM", 2, 137, 2.2, False),
        sig_masks=[masks(1, "python3 app.py", caught=INT)],
    )
    v = verdicts(f)
    assert v["who is pid 1"][0] == "ok" and "the program itself" in v["who is pid 1"][1]
    assert (
        v["reaping"][0] == "problem"
        and "still a zombie (Z, ppid 1)" in v["reaping"][1]
        and "--init" in v["reaping"][1]
    )
    assert v["docker stop"][0] == "problem" and "137 = 128 + SIGKILL" in v["docker stop"][1]
    assert "SIGTERM handler" in v["docker stop"][1]
    assert v["signal forwarding"][0] == "ok" and v["what the doctor added, and limits"][0] == "note"
    assert [c.passed for c in evaluate(f)] == [True, True, False, True, False, True, True, True]


def test_a_shell_that_does_not_exec_hears_the_signal_and_keeps_it():
    procs = [proc(1, 0, "/bin/sh", "/entry.sh"), proc(7, 1, "python3", "app.py")]
    f = findings(
        procs,
        stop=Stop("SIGTERM", 2, 137, 2.2, False, watched=[Fate(7, "python3 app.py", ended_s=2.1)]),
        sigint=Stop("SIGINT", 2, None, 2.0, False),
    )
    v = verdicts(f)
    assert v["who is pid 1"][0] == "note" and "exec" in v["who is pid 1"][1]  # a name: a note
    assert (
        v["signal forwarding"][0] == "problem"
        and "still running when the engine SIGKILLed" in v["signal forwarding"][1]
    )
    assert v["SIGINT"][0] == "problem" and v["docker stop"][0] == "problem"


def test_an_init_passes_the_signal_on_even_when_the_program_was_not_seen_ending():
    procs = [proc(1, 0, "tini", "--", "app"), proc(7, 1, "app")]
    seen = findings(
        procs, stop=Stop("SIGTERM", 2, 143, 0.1, True, watched=[Fate(7, "app", ended_s=0.05)])
    )
    unseen = findings(procs, stop=Stop("SIGTERM", 2, 143, 0.1, True, watched=[Fate(7, "app")]))
    assert verdicts(seen)["signal forwarding"] == (
        "ok",
        "`app` ended 0.05 s after SIGTERM (inferred from timing and exit codes)",
    )
    assert (
        verdicts(unseen)["signal forwarding"][0] == "ok"
        and "passed on (143" in verdicts(unseen)["signal forwarding"][1]
    )
    assert all(c.passed for c in evaluate(seen))


def test_a_child_that_outlives_the_program_is_a_problem_naming_tini_g():
    procs = [proc(1, 0, "tini", "--", "app"), proc(7, 1, "app"), proc(9, 7, "worker")]
    f = findings(
        procs,
        stop=Stop(
            "SIGTERM",
            2,
            143,
            0.1,
            True,
            watched=[
                Fate(7, "app", ended_s=0.05, status="signal 15"),
                Fate(9, "worker", ended_s=0.08, orphaned=True),
            ],
        ),
    )
    verdict, detail = verdicts(f)["signal forwarding"]
    assert (
        verdict == "problem"
        and "`worker` (pid 9) was re-parented to pid 1" in detail
        and "tini -g" in detail
    )


def test_what_could_not_be_measured_is_inconclusive_never_passed():
    f = findings(
        [proc(1, 0, "app")], orphan=Orphan(error="the orphan could not be made: exec failed")
    )
    f.stop = Stop("SIGTERM", 2, error="docker stop failed: engine gone")
    checks = {c.name.split(":")[0]: c for c in evaluate(f)}
    for name in ("reaping", "docker stop", "signal forwarding"):
        assert not checks[name].passed and checks[name].figures["verdict"] == "inconclusive"
        assert checks[name].detail.startswith("inconclusive: ")


def test_a_container_that_never_comes_up_is_one_problem():
    f = Findings(
        DoctorOptions("img"),
        argv=("app",),
        stop_signal="SIGTERM",
        ready=Ready(False, "exited", 0.3, 1, "it exited before it was up"),
    )
    (check,) = evaluate(f)
    assert (
        not check.passed
        and "exit code 1" in check.detail
        and check.name == "it starts and stays up"
    )


@pytest.mark.parametrize(
    "args, words",
    [
        (("--ready-log", "("), "is not a regular expression"),
        (("-e", "1X=2"), "give KEY=VALUE"),
        (("--memory", "lots"), "give a size"),
        (("-t", "0"), "0 is not in the range"),
        (("-t", "3", "--stop-timeout", "4"), "give different grace periods"),
        (("--stop-signal", "FOO"), "give a signal's name or number"),
        (("--cap-drop", "K-1"), "give a capability's name"),
        (("--k8s", "--init"), "a pod has no --init"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args, words):
    code, out, err = run("doctor", "some/image", *args)
    assert code == 2 and words in err and "Traceback" not in err and out == ""


# --- round two: behaviour is the verdict, zombies at rest, the masks' prediction, early ends ---------


def test_masks_parse_and_say_what_the_kernel_does_with_a_signal_to_pid_1():
    m = masks(
        1, "app", caught=INT, ignored=1 << 12, blocked=0
    )  # SIGUSR2 (12) is bit 11: not set here
    assert (
        m.disposition("SIGINT") == Disposition.HANDLER
        and m.disposition("SIGTERM") == Disposition.DEFAULT
    )
    assert masks(1, "x", ignored=TERM).disposition("SIGTERM") == Disposition.IGNORED
    tini = masks(1, "tini", waited=0xFFFFFFFE3FCFFB07)  # read from a real tini's sigtimedwait
    assert tini.disposition("SIGTERM") == Disposition.BLOCKED and reaches_pid1(tini, "SIGTERM")
    assert not reaches_pid1(m, "SIGTERM") and reaches_pid1(m, "SIGINT")
    assert m.to_dict()["SigCgt"] == ["SIGINT"] and Masks.parse(1, "x", "Name: x\n") is None


def test_a_correct_bash_trap_init_is_healthy_with_a_note():
    """issue 30: pid 1 is a shell, but it reaps and passes SIGTERM on: behaviour is the verdict."""
    procs = [
        proc(1, 0, "bash", "-c", "trap '...' TERM INT; python3 /app.py & pid=$!; wait $pid"),
        proc(7, 1, "python3", "/app.py"),
    ]
    f = findings(
        procs,
        stop=Stop("SIGTERM", 2, 0, 0.1, True, watched=[Fate(7, "python3 /app.py", ended_s=0.05)]),
        sig_masks=[masks(1, "bash", caught=TERM | INT), masks(7, "python3 /app.py", caught=INT)],
    )
    v = verdicts(f)
    assert v["who is pid 1"][0] == "note" and "exec" in v["who is pid 1"][1]
    assert v["signal forwarding"][0] == "ok" and "passed it on" in v["signal forwarding"][1]
    assert all(c.passed for c in evaluate(f))
    assert "confirmed" in v["signal masks"][1]


def test_zombies_at_rest_are_a_problem_naming_their_parent():
    procs = [proc(1, 0, "tini", "--", "python3", "/app.py"), proc(7, 1, "python3", "/app.py")] + [
        proc(p, 7, "python3", state="Z") for p in (8, 9, 10)
    ]
    f = findings(procs)
    v = verdicts(f)
    assert v["zombies at rest"][0] == "problem"
    assert (
        "3 zombie(s)" in v["zombies at rest"][1]
        and "`python3 /app.py` (pid 7)" in v["zombies at rest"][1]
    )
    assert (
        "SIG_IGN" in v["zombies at rest"][1] and "wait for your children" in v["zombies at rest"][1]
    )
    limits = next(c for c in evaluate(f) if c.name.startswith("what the doctor added"))
    assert limits.figures["pids"] == 2 and limits.figures["zombies"] == 3


def test_a_prediction_the_behaviour_refutes_is_said_to_be_refuted():
    """A handler slower than the grace period: the masks say it will end; it was SIGKILLed."""
    f = findings(
        [proc(1, 0, "python3", "app.py")],
        stop=Stop("SIGTERM", 2, 137, 2.1, False),
        sig_masks=[masks(1, "python3 app.py", caught=TERM | INT)],
    )
    v = verdicts(f)
    assert v["signal masks"][0] == "note" and "REFUTED" in v["signal masks"][1]
    assert (
        "had not ended when the grace period was over" in v["docker stop"][1]
        and "stop_grace_period" in v["docker stop"][1]
    )


def test_a_dropped_kill_capability_is_named_when_pid_1_cannot_signal_its_program():
    from dataclasses import replace

    p1 = replace(proc(1, 0, "tini", "--", "app"), user="uid 0")
    app = replace(proc(7, 1, "app"), user="uid 65534")
    f = findings(
        [p1, app],
        stop=Stop("SIGTERM", 2, 137, 2.1, False, watched=[Fate(7, "app")]),
        sig_masks=[masks(1, "tini", waited=TERM | INT)],
    )
    f.options = DoctorOptions("img", grace_s=2, cap_drop=("KILL",))
    v = verdicts(f)
    assert (
        v["docker stop"][0] == "problem"
        and "CAP_KILL" in v["docker stop"][1]
        and "uid 65534" in v["docker stop"][1]
    )
    assert v["signal forwarding"][0] == "problem" and "--cap-drop KILL" in v["signal forwarding"][1]


@pytest.mark.parametrize(
    "early, words",
    [
        (EarlyEnd("stop", Phase.BEFORE_UP, 0.1, 3), "before it was up"),
        (EarlyEnd("stop", Phase.PROBING, 1.0, 3), "while the doctor looked at it"),
        (
            EarlyEnd("sigint", Phase.BEFORE_SIGNAL, 1.0, 3),
            "the sigint container (the others stayed up) ended on its own",
        ),
        (EarlyEnd("sigint", Phase.SIGNAL_NOT_HEARD, 2.0, 3), "which its pid 1 never got"),
    ],
)
def test_an_early_end_in_either_container_is_the_one_stays_up_verdict(early, words):
    f = findings([proc(1, 0, "python3", "app.py")])
    f.early = [early]
    (check,) = evaluate(f)
    assert check.name == "it starts and stays up" and check.figures["verdict"] == "problem"
    assert (
        words in check.detail
        and "exit code 3" in check.detail
        and "stay up until it is told" in check.detail
    )


def test_a_limit_that_killed_it_is_named_with_its_option():
    f = findings([proc(1, 0, "python3", "app.py")])
    f.early = [EarlyEnd("stop", Phase.BEFORE_UP, 0.3, 137, oom_killed=True)]
    assert "memory limit 1g (--memory to change)" in evaluate(f)[0].detail
    f.early = [EarlyEnd("stop", Phase.BEFORE_UP, 0.3, 1)]
    f.output = {
        "stop": [
            OutputLine(
                "stderr", "BlockingIOError: [Errno 11] Resource temporarily unavailable", 0.2
            )
        ]
    }
    assert "pids limit 512 (--pids-limit to change)" in evaluate(f)[0].detail
    # the engine's OOM word lost for one container (its exit event first): the other's, same limit, holds
    f.early = [
        EarlyEnd("stop", Phase.BEFORE_UP, 0.3, 137),
        EarlyEnd("sigint", Phase.BEFORE_UP, 0.3, 137, True),
    ]
    assert "memory limit 1g (--memory to change)" in evaluate(f)[0].detail
    f.early = [
        EarlyEnd("stop", Phase.BEFORE_UP, 0.3, 1),
        EarlyEnd("sigint", Phase.BEFORE_UP, 0.3, 137, True),
    ]
    assert "memory limit" not in evaluate(f)[0].detail  # it ended otherwise: not the limit's doing


def test_what_the_doctor_adds_is_listed_with_each_option():
    f = findings([proc(1, 0, "app")])
    f.options = DoctorOptions("img", grace_s=2, memory="64m")
    limits = next(c for c in evaluate(f) if c.name.startswith("what the doctor added"))
    assert (
        "pids limit 512 (--pids-limit to change)" in limits.detail
        and "network none (--network" in limits.detail
    )
    assert "given: memory limit 64m" in limits.detail
    assert {a["option"] for a in limits.figures["additions"]} == {
        "--pids-limit",
        "--memory",
        "--network",
    }


def test_the_kernels_record_tells_who_got_the_signal_and_who_died_untold():
    from proclab.doctor.kernel_evidence import kernel_check, story
    from proclab.lab.kernel_record import (
        EventKind,
        HandlerKind,
        KernelEvent,
        KernelRecord,
        SignalResult,
    )

    ev = (
        KernelEvent(
            2.0,
            EventKind.SIGNAL,
            1,
            100,
            comm="tini",
            signal="SIGTERM",
            sender_outside=True,
            sender_comm="dockerd",
            result=SignalResult.BLOCKED,
        ),
        KernelEvent(
            2.001,
            EventKind.SIGNAL,
            6,
            106,
            comm="sh",
            signal="SIGTERM",
            sender=1,
            sender_comm="tini",
            result=SignalResult.DELIVERED,
            handler=HandlerKind.DEFAULT,
        ),
        KernelEvent(2.002, EventKind.EXIT, 6, 106, comm="sh", exit_signal="SIGTERM"),
        KernelEvent(2.003, EventKind.EXIT, 7, 107, comm="python3", exit_signal="SIGKILL"),
    )
    rec = KernelRecord(events=ev, already_there=(1, 6, 7))
    st = story(rec, "SIGTERM", 1.99)
    assert st.told == {1, 6} and [e.pid for e in st.killed_untold] == [7]
    c = kernel_check(rec, "SIGTERM", 1.99)
    assert c is not None and c.figures["verdict"] == "note"
    assert "SIGTERM from 1 tini to 6 sh: delivered: its default action" in c.detail
    assert "7 python3 died of SIGKILL at the namespace's end, never having got SIGTERM" in c.detail
    procs = [
        proc(1, 0, "tini", "--", "sh"),
        proc(6, 1, "sh", "-c", "python3 app.py; echo bye"),
        proc(7, 6, "python3", "app.py"),
    ]
    f = findings(
        procs,
        stop=Stop(
            "SIGTERM",
            2,
            143,
            0.1,
            True,
            watched=[Fate(6, "sh -c …", ended_s=0.01), Fate(7, "python3 app.py", ended_s=0.01)],
        ),
    )
    f.kernel, f.stop_at_t = rec, 1.99
    fwd = verdicts(f)["signal forwarding"]
    assert (
        fwd[0] == "problem"
        and "`python3 app.py` (pid 7) was never sent SIGTERM" in fwd[1]
        and "tini -g" in fwd[1]
    )
    f.kernel = KernelRecord(
        events=ev[:3], already_there=(1, 6)
    )  # began after python3's fork: it cannot judge it
    fwd = verdicts(f)["signal forwarding"]
    assert "the kernel's record" not in fwd[1] and "inferred" in fwd[1]
    none = kernel_check(KernelRecord.none("no tracefs"), "SIGTERM", 1.0)
    assert none is not None and "an inference" in none.detail


# The doctor's record of tini -> sh -> python3 under docker stop, as the kernel wrote it when the
# tgid cache still held an old thread's entry for tini's reused pid 17066: the (TGID) column says
# 17016, a process that was not there. The pids and times are those of the failing run.
STALE_TINI = """\
            runc-17295   (  17295) [000] d..1.   100.727466: signal_generate: sig=15 errno=0 code=0 comm=tini pid=17066 grp=1 res=1
           <...>-17066   (  17016) [001] d..1.   100.727522: signal_generate: sig=15 errno=0 code=0 comm=sh pid=17178 grp=1 res=0
              sh-17178   (  17178) [000] d..1.   100.727570: signal_deliver: sig=9 errno=0 code=0 sa_handler=0 sa_flags=0
              sh-17178   (  17178) [000] .....   100.727579: sched_process_exit: comm=sh pid=17178 prio=120 group_dead=true
              sh-17178   (  17178) [000] dN.2.   100.727746: signal_generate: sig=17 errno=0 code=2 comm=tini pid=17066 grp=1 res=0
           <...>-17066   (  17016) [000] .....   100.727795: sys_wait4 -> 0x8
           <...>-17066   (  17016) [000] .....   100.727880: sys_exit_group(error_code: 0x8f)
           <...>-17066   (  17016) [000] .....   100.727885: sched_process_exit: comm=tini pid=17066 prio=120 group_dead=true
           <...>-17066   (  17016) [000] dN.2.   100.728010: signal_generate: sig=9 errno=0 code=128 comm=python3 pid=17179 grp=1 res=0
         python3-17179   (  17179) [000] d..1.   100.728030: signal_deliver: sig=9 errno=0 code=0 sa_handler=0 sa_flags=0
         python3-17179   (  17179) [000] .N...   100.728043: sched_process_exit: comm=python3 pid=17179 prio=120 group_dead=true
"""


def test_the_doctors_record_names_tini_by_its_pid_not_by_the_lines_stale_tgid_column():
    """The doctor's record takes each task's tgid as /proc gave it (RawTrace.tgids), as a lab's does:
    built from the lines' column alone, tini's forwarding came out as docker's, and CI failed."""
    from types import SimpleNamespace

    from proclab.doctor.examine import _read_record
    from proclab.doctor.kernel_evidence import kernel_check
    from proclab.engine.kerneltrace import RawTrace

    here = {17066: 17066, 17178: 17178, 17179: 17179}
    raw = RawTrace(
        lines=STALE_TINI.splitlines(),
        pidmap={17066: 1, 17178: 8, 17179: 9},
        outside={17295},
        comms={17066: "tini", 17178: "sh", 17179: "python3", 17295: "runc"},
        tgids={**here, 17295: 17295},
        already_there=list(here),
    )
    f = findings(
        [proc(1, 0, "tini", "--", "sh"), proc(8, 1, "sh", "-c", "…"), proc(9, 8, "python3")]
    )
    _read_record(SimpleNamespace(stop=lambda: raw), SimpleNamespace(t0=100.0), f)
    assert f.kernel is not None
    forward = next(e for e in f.kernel.events if e.signal == "SIGTERM" and e.pid == 8)
    assert (forward.sender, forward.sender_host_pid, forward.sender_outside) == (1, 17066, False)
    reap = next(e for e in f.kernel.events if e.kind == "reap")
    assert reap.reaper_host_pid == 17066
    (tini_end,) = [e for e in f.kernel.events if e.kind == "exit" and e.pid == 1]
    assert tini_end.exit_code == 143
    c = kernel_check(f.kernel, "SIGTERM", 0.7)
    assert c is not None
    assert any(ln.startswith("SIGTERM from 1 tini to 8 sh") for ln in c.figures["signals"]), (
        c.detail
    )
    assert c.figures["killed_untold"] == ["9 python3"]


def test_as_a_pod_the_stop_signal_is_the_images_as_containerd_sends_it():
    """containerd keeps the image's STOPSIGNAL at create and sends it on StopContainer (SIGTERM when it
    has none); --stop-signal stands for the pod's lifecycle.stopSignal (Kubernetes 1.33+)."""
    from dataclasses import replace

    f = findings([proc(1, 0, "nginx", "-g", "daemon off;")])
    f = replace(f, options=DoctorOptions("img", grace_s=30, k8s=True), stop_signal="SIGQUIT")
    pod = verdicts(f)["as a Kubernetes pod"][1]
    assert "SIGQUIT (containerd and CRI-O send the image's STOPSIGNAL" in pod and "30 s here" in pod
    f = replace(
        f,
        options=DoctorOptions("img", grace_s=30, k8s=True, stop_signal="SIGUSR1"),
        stop_signal="SIGUSR1",
    )
    assert "lifecycle.stopSignal" in verdicts(f)["as a Kubernetes pod"][1]


def test_each_step_is_timed_from_any_thread():
    import threading

    from proclab.doctor.timing import Step, Timings

    clock = Timings()

    def sigint_side() -> None:
        with clock.span("sigint", Step.READY):
            pass

    with clock.span("stop", Step.SNAPSHOT):
        side = threading.Thread(target=sigint_side)
        side.start()
        side.join()
    with clock.span("stop", Step.SNAPSHOT):
        pass
    spans = clock.to_dict()
    assert [(s["container"], s["step"]) for s in spans] == [
        ("stop", "snapshot"),
        ("sigint", "up"),
        ("stop", "snapshot"),
    ]
    assert spans[0]["took_s"] >= spans[1]["took_s"]  # the SIGINT side ran inside the first snapshot
    assert spans[1]["start_s"] >= spans[0]["start_s"] and clock.total("sigint", Step.READY) >= 0
