"""What the signals lab proves, each fact with its evidence."""

import signal

from proclab.checks import check, expect

EXPECTED = {
    "return": 0,
    "sys.exit(3)": 3,
    "raise ValueError": 1,
    "terminate()": -15,
    "kill()": -9,
    "SIGINT": 1,
    "SIGINT, default action": -2,
}


def _bit(line: str, sig: int) -> bool:
    return bool(int(line.split()[1], 16) & (1 << (sig - 1)))


@check(
    "Process.exitcode: return 0, sys.exit(3) 3, exception 1, terminate() -15, kill() -9",
    zh="Process.exitcode：return 为 0，sys.exit(3) 为 3，异常为 1，terminate() 为 -15，kill() 为 -9",
)
def exitcodes(lab):
    codes = lab.checkpoint("exitcodes").data["codes"]
    plain = {k: v for k, v in EXPECTED.items() if not k.startswith("SIGINT")}
    got = {k: codes.get(k) for k in plain}
    return expect(got == plain, ", ".join(f"{k} -> {v}" for k, v in got.items()), exitcodes=got)


@check(
    "SIGINT gives exitcode 1, not -2: Python raises KeyboardInterrupt and the child dies of an exception; "
    "with SIGINT's default action it is -2",
    zh="SIGINT 得到 exitcode 1 而不是 -2：Python 抛出 KeyboardInterrupt，子进程因异常结束；恢复 SIGINT 默认动作后是 -2",
)
def sigint_is_an_exception(lab):
    codes = lab.checkpoint("exitcodes").data["codes"]
    tb = lab.run().lines_with("KeyboardInterrupt")
    return expect(
        codes.get("SIGINT") == 1 and codes.get("SIGINT, default action") == -2 and tb,
        f"SIGINT -> {codes.get('SIGINT')} (stderr: {tb[:1]}), "
        f"SIGINT with SIG_DFL -> {codes.get('SIGINT, default action')}",
        sigint=codes.get("SIGINT"),
        sigint_default=codes.get("SIGINT, default action"),
    )


@check(
    "the raw wait status: exit(3) is 0x0300 (WIFEXITED, WEXITSTATUS 3); death by SIGTERM is 0x000f "
    "(WIFSIGNALED, WTERMSIG 15)",
    zh="原始 wait 状态：exit(3) 是 0x0300（WIFEXITED，WEXITSTATUS 3）；死于 SIGTERM 是 0x000f（WIFSIGNALED，WTERMSIG 15）",
)
def raw_status(lab):
    d = lab.checkpoint("raw-status").data
    ex, sig = d["_exit(3)"], d["SIGTERM"]
    ok = (
        ex["status"] == 3 << 8
        and ex["WIFEXITED"]
        and not ex["WIFSIGNALED"]
        and ex["WEXITSTATUS"] == 3
        and ex["waitstatus_to_exitcode"] == 3
        and sig["status"] == signal.SIGTERM
        and sig["WIFSIGNALED"]
        and not sig["WIFEXITED"]
        and sig["WTERMSIG"] == 15
        and sig["waitstatus_to_exitcode"] == -15
    )
    return expect(
        ok,
        f"_exit(3): {ex}; SIGTERM: {sig}",
        exit3_status=ex["status"],
        sigterm_status=sig["status"],
    )


@check(
    "one death, three notations: the shell's $? is 128+N (143, 130), Python's returncode is -N (-15, -2)",
    zh="同一种死法，三种写法：shell 的 $? 是 128+N（143、130），Python 的 returncode 是 -N（-15、-2）",
)
def shell_convention(lab):
    d = lab.checkpoint("raw-status").data
    sh, sp = d["shell"], d["subprocess"]
    ok = (
        sh["exit 3"] == "3"
        and sh["kill -TERM itself"] == str(128 + 15)
        and sp["kill -TERM itself"] == -15
        and sh["python3 gets SIGINT"] == str(128 + 2)
        and sp["python3 gets SIGINT"] == -2
    )
    return expect(ok, f"sh $?: {sh}; subprocess returncode: {sp}", shell=sh, subprocess=sp)


@check(
    "right after terminate() the child is still alive (is_alive() True, SIGTERM pending), "
    "until it dies and join() reaps it",
    zh="terminate() 之后子进程还活着（is_alive() 为 True，SIGTERM 挂起），直到它死去、被 join() 回收",
)
def terminate_then_join(lab):
    sent, joined = lab.checkpoint("terminate-sent"), lab.checkpoint("joined")
    child = sent.process(sent.data["child"])
    shdpnd = next(ln for ln in sent.data["proc_status"] if ln.startswith("ShdPnd"))
    pending = _bit(shdpnd, signal.SIGTERM)
    ok = (
        sent.data["is_alive"] is True
        and child.state in ("S", "R")
        and pending
        and joined.data["is_alive"] is False
        and joined.data["exitcode"] == -15
        and not joined.has(child.key)
    )
    return expect(
        ok,
        f"after terminate(): is_alive={sent.data['is_alive']}, {sent.ps_line(child.pid)}, "
        f"{shdpnd} (SIGTERM pending={pending}); after join(): is_alive={joined.data['is_alive']}, "
        f"exitcode={joined.data['exitcode']}, pid {child.pid} in table={joined.has(child.key)}",
        is_alive_after_terminate=sent.data["is_alive"],
        exitcode=joined.data["exitcode"],
    )


@check(
    "terminate() does not reach the child's child: it is orphaned and adopted by pid 1 (tini)",
    zh="terminate() 管不到子进程的子进程：它成为孤儿进程，被 1 号进程（tini）收养",
)
def terminate_orphans_grandchild(lab):
    fam, after = lab.checkpoint("families"), lab.checkpoint("terminated-child")
    g_before = fam.process(fam.data["grandchild1"])
    g = after.find(g_before.key)
    gone_child = not after.has(fam.process(fam.data["child1"]).key)
    ok = (
        g_before.ppid == fam.data["child1"]
        and g is not None
        and g.ppid == 1
        and g.state != "Z"
        and gone_child
        and after.data["exitcode"] == -15
    )
    return expect(
        ok,
        f"before: {fam.ps_line(g_before.pid)}; after terminate()+join(): "
        f"{after.ps_line(g_before.pid)}; child {fam.data['child1']} gone={gone_child}, "
        f"exitcode {after.data['exitcode']}",
        grandchild_ppid_before=g_before.ppid,
        grandchild_ppid_after=g.ppid if g else None,
    )


@check(
    "killpg() takes the whole family: child and grandchild share a process group and both are gone",
    zh="killpg() 结束整个家族：子进程和孙进程在同一个进程组里，两个都没了",
)
def killpg_takes_family(lab):
    fam, after = lab.checkpoint("families"), lab.checkpoint("group-killed")
    c, g = fam.process(fam.data["child2"]), fam.process(fam.data["grandchild2"])
    pg = fam.data["pgid"]
    same_group = (
        pg[str(c.pid)] == c.pid == pg[str(g.pid)] and pg[str(fam.data["scenario"])] != c.pid
    )
    survivor = after.find(fam.process(fam.data["grandchild1"]).key)
    ok = (
        same_group
        and not after.has(c.key)
        and not after.has(g.key)
        and after.data["exitcode"] == -15
        and survivor is not None
    )
    return expect(
        ok,
        f"pgids {pg}; after killpg({c.pid}): child present={after.has(c.key)}, "
        f"grandchild present={after.has(g.key)}, exitcode {after.data['exitcode']}; "
        f"the other family's orphan still there: {after.ps_line(fam.data['grandchild1'])}",
        pgid=pg,
    )


@check(
    "the container's exit code is 143: the scenario died of SIGTERM and tini reported 128+15",
    zh="容器的退出码是 143：实验程序死于 SIGTERM，tini 报告 128+15",
)
def container_exit_code(lab):
    run = lab.run()
    never = run.lines_with("never printed")
    return expect(
        lab.exit_code == 128 + signal.SIGTERM and not never,
        f"container exit code {lab.exit_code}; lines that should never print: {never}",
        exit_code=lab.exit_code,
    )


@check(
    "the kernel's record: terminate() is one SIGTERM from the parent, delivered to the child with the default "
    "action, before 'terminate-sent'; the child died of it and join()'s wait4 reaped it",
    zh="内核记录：terminate() 是父进程发出的一个 SIGTERM，在 'terminate-sent' 之前以默认动作投递给子进程；"
    "子进程死于它，join() 的 wait4 回收了它",
)
def record_terminate(lab):
    run, sent = lab.run(), lab.checkpoint("terminate-sent")
    child, parent = sent.data["child"], sent.data["parent"]
    term = run.events("signal", target=child, signal="SIGTERM")
    end = run.exited(child)
    ok = (
        len(term) == 1
        and term[0].sender == parent
        and term[0].result == "delivered"
        and term[0].handler == "default"
        and term[0].t <= sent.at_s
        and end is not None
        and end.exit_signal == "SIGTERM"
        and run.reaped_by(child) == parent
    )
    return expect(
        ok,
        "; ".join(e.describe() for e in [*term, *([end] if end else [])])
        + f"; terminate-sent at {sent.at_s:.3f}s; reaped by {run.reaped_by(child)}",
        sender=term[0].sender if term else None,
        reaped_by=run.reaped_by(child),
    )
