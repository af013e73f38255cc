"""The trace-line parser and the fold into the kernel record, on lines recorded from the real kernel
(6.18, trace_clock mono, options/record-tgid), pids kept as recorded."""

from __future__ import annotations

from proclab.lab.kernel_record import EventKind, HandlerKind, SignalResult
from proclab.lab.kernel_trace import build, parse_line

# host pid -> container pid, as the tracer read them from NSpid
PIDMAP = {28178: 1, 28210: 7, 28280: 52, 28281: 53, 28299: 54, 28250: 37}
OUTSIDE = {900}
T0 = 526.8

TREE = """\
              sh-28210   (  28210) [001] .....   526.868174: task_newtask: pid=28250 comm=sh clone_flags=4100 oom_score_adj=0
              sh-28210   (  28210) [001] .....   526.868179: sched_process_fork: comm=sh pid=28210 child_comm=sh child_pid=28250
           sleep-28250   (  28250) [001] .....   526.868276: sched_process_exec: filename=/usr/bin/sleep pid=28250 old_pid=28250
           sleep-28250   (  28250) [001] .....   526.879145: sys_exit_group(error_code: 0)
           sleep-28250   (  28250) [001] .....   526.879156: sched_process_exit: comm=sleep pid=28250 prio=120 group_dead=true
           sleep-28248   (  28248) [001] .Ns1.   526.879160: sched_process_free: comm=sleep pid=28246 prio=120
              sh-28210   (  28210) [001] .....   526.879352: sys_wait4 -> 0x25
              sh-28210   (  28210) [001] d..1.   526.879365: signal_deliver: sig=17 errno=0 code=1 sa_handler=558a6f04cdc0 sa_flags=4000000
              sh-28210   (  28210) [001] .....   526.879389: sys_wait4 -> 0xfffffffffffffff6
              sh-28210   (  28210) [001] .....   526.939537: task_newtask: pid=28280 comm=sh clone_flags=1200000 oom_score_adj=0
              sh-28210   (  28210) [001] .....   526.939538: sched_process_fork: comm=sh pid=28210 child_comm=sh child_pid=28280
              sh-28280   (  28280) [001] .N...   526.939778: task_newtask: pid=28281 comm=sh clone_flags=4100 oom_score_adj=0
              sh-28280   (  28280) [001] .N...   526.939779: sched_process_fork: comm=sh pid=28280 child_comm=sh child_pid=28281
CPU:1 [LOST 12 EVENTS]
           sleep-28281   (  28281) [001] .....   527.041058: sys_exit_group(error_code: 0xc8)
           sleep-28281   (  28281) [001] .....   527.041085: sched_process_exit: comm=sleep pid=28281 prio=120 group_dead=true
         python3-28299   (  28299) [001] ..s1.   527.144038: sched_process_free: comm=mkdir pid=28285 prio=120
         python3-28299   (  28299) [001] .....   527.150000: task_newtask: pid=28300 comm=python3 clone_flags=3d0f00 oom_score_adj=0
         python3-28299   (  28299) [001] .....   527.150001: sched_process_fork: comm=python3 pid=28299 child_comm=python3 child_pid=28300
         python3-28299   (  28299) [001] d..1.   527.155862: signal_deliver: sig=10 errno=0 code=0 sa_handler=67a080 sa_flags=c000000
         python3-28299   (  28299) [001] d..1.   527.155870: signal_deliver: sig=9 errno=0 code=0 sa_handler=0 sa_flags=0
         python3-28300   (  28299) [000] .....   527.155900: sched_process_exit: comm=python3 pid=28300 prio=120 group_dead=false
         python3-28299   (  28299) [001] .N...   527.155926: sched_process_exit: comm=python3 pid=28299 prio=120 group_dead=true
     docker-init-28178   (  28178) [000] .....   527.156580: sys_wait4 -> 0x36
"""
HOST = """\
         python3-28299   (  28299) [001] d..1.   527.155860: signal_generate: sig=10 errno=0 code=0 comm=python3 pid=28299 grp=1 res=0
         python3-28299   (  28299) [001] d..1.   527.155869: signal_generate: sig=12 errno=0 code=0 comm=python3 pid=28299 grp=1 res=0
            runc-900     (    900) [000] d..1.   527.200000: signal_generate: sig=15 errno=0 code=0 comm=docker-init pid=28178 grp=1 res=1
"""


def _record():
    return build(
        TREE.splitlines() + HOST.splitlines(),
        pidmap=PIDMAP,
        outside=OUTSIDE,
        already_there=[28178, 28210],
        t0=T0,
    )


def test_lines_parse_into_their_fields() -> None:
    fork = parse_line(TREE.splitlines()[1])
    assert (fork.event, fork.tgid, fork.fields["child_pid"], fork.ts) == (
        "sched_process_fork",
        28210,
        "28250",
        526.868179,
    )
    assert parse_line(TREE.splitlines()[6]).fields == {"ret": "0x25"}
    assert parse_line(TREE.splitlines()[3]).event == "sys_enter_exit_group"
    thread = parse_line(TREE.splitlines()[-3])
    assert (thread.comm, thread.tid, thread.tgid) == ("python3", 28300, 28299)
    assert parse_line("# tracer: nop") is None and parse_line("") is None


def test_the_lost_marker_is_an_event_and_a_count() -> None:
    assert parse_line("CPU:1 [LOST 12 EVENTS]").fields == {"lost": "12"}
    rec = _record()
    lost = rec.select(EventKind.LOST)
    assert rec.lost == 12 and lost[0].lost == 12 and 0.13 < lost[0].t < 0.14  # where the gap was
    assert build([], pidmap={}, lost=3).lost == 3  # the buffers' overrun counters count too


def test_free_in_a_foreign_context_is_no_reap_and_no_exit() -> None:
    rec = _record()
    # sleep-28248 freed 28246 and python3 freed a host mkdir: neither is an event of anyone's
    assert not [
        e for e in rec.events if e.host_pid in (28246, 28285) or e.reaper_host_pid in (28248, 28299)
    ]
    assert rec.reaped_by(37) == 7 and rec.reaped(37).comm == "sleep"  # wait4's return is the reap


def test_fork_exec_exit_and_reap_in_container_pids() -> None:
    rec = _record()
    assert rec.forked(37).parent == 7 and rec.select("exec", pid=37)[0].filename == "/usr/bin/sleep"
    assert rec.exited(37).exit_code == 0 and rec.exited(53).exit_code == 200  # exit_group's hex
    assert rec.forked(53).parent == 52 and rec.already_there == (1, 7)
    assert [e.kind for e in rec.events if e.pid == 37] == ["fork", "exec", "exit", "reap"]


def test_a_thread_is_no_fork_and_its_end_no_exit() -> None:
    rec = _record()
    assert not rec.select("fork", host_pid=28300) and not rec.select("exit", host_pid=28300)
    assert [e.host_pid for e in rec.select("exit")][-1] == 28299


def test_signals_results_and_handlers() -> None:
    rec = _record()
    usr1, usr2, term = rec.select("signal")
    assert (usr1.signal, usr1.result, usr1.handler, usr1.sender) == (
        "SIGUSR1",
        SignalResult.DELIVERED,
        HandlerKind.HANDLER,
        54,
    )
    # SIGUSR2 had the default action: the kernel's group exit shows as SIGKILL, the cause is SIGUSR2
    assert usr2.handler == HandlerKind.DEFAULT and rec.exited(54).exit_signal == "SIGUSR2"
    assert (term.pid, term.result, term.sender_outside, term.sender_comm) == (
        1,
        SignalResult.IGNORED,
        True,
        "runc",
    )
    assert rec.select("signal", target=1, result=SignalResult.IGNORED) == [term]


def test_an_unmapped_child_gets_its_pid_from_its_parents_wait4() -> None:
    lines = TREE.splitlines()
    pidmap = {h: c for h, c in PIDMAP.items() if h != 28250}  # gone before its NSpid was read
    rec = build(lines, pidmap=pidmap, t0=T0)
    assert rec.forked(37) is not None and rec.forked(37).mapped and rec.reaped_by(37) == 7


def test_a_record_while_the_run_goes_on_keeps_queued_signals_delivered() -> None:
    line = "            runc-900     (    900) [000] d..1.   527.200000: signal_generate: sig=15 errno=0 code=0 comm=sh pid=28210 grp=1 res=0"
    assert (
        build([line], pidmap=PIDMAP, final=False).select("signal")[0].result
        == SignalResult.DELIVERED
    )
    assert build([line], pidmap=PIDMAP).select("signal")[0].result == SignalResult.BLOCKED


def test_the_oom_killers_choice() -> None:
    line = (
        "            java-28299   (  28299) [001] d..1.   527.300000: mark_victim: pid=28210 comm=sh total-vm=1024kB "
        "anon-rss=512kB file-rss:0kB shmem-rss:0kB uid=0 pgtables=40kB oom_score_adj=0"
    )
    (victim,) = build([line], pidmap=PIDMAP, t0=T0).select("oom-kill")
    assert (victim.pid, victim.comm) == (7, "sh")


# Recorded on this kernel (pid1, stop-no-handler): the exec line's tgid column shows 31170, a stale
# entry of the kernel's tgid cache for the reused pid 32064, which is the container's pid 1.
STALE_TGID = """\
           <...>-32064   (  31170) [001] .....  6588.426813: sched_process_exec: filename=/usr/bin/python3 pid=32064 old_pid=32064
            runc-32118   (  32118) [000] d..1.  6588.476239: signal_generate: sig=15 errno=0 code=0 comm=python3 pid=32064 grp=1 res=1
"""


def test_the_tgid_proc_gave_wins_over_a_stale_tgid_column() -> None:
    rec = build(
        STALE_TGID.splitlines(), pidmap={32064: 1}, outside={32118}, tgids={32064: 32064}, t0=6588.0
    )
    sig = next(e for e in rec.events if e.kind == EventKind.SIGNAL)
    exe = next(e for e in rec.events if e.kind == EventKind.EXEC)
    assert (exe.pid, exe.host_pid) == (1, 32064)
    assert (sig.pid, sig.host_pid, sig.result) == (1, 32064, SignalResult.IGNORED)
