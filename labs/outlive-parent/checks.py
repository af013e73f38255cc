"""What the outlive-parent lab proves: after the parent's SIGKILL, who is alive and whose child they are."""

from proclab.checks import check, expect


def _after(lab, variant):
    """(before-kill, after-kill, the worker then, the grandchild then: a Process or None if gone)."""
    before, after = lab.checkpoint("before-kill", variant), lab.checkpoint("after-kill", variant)

    def now(role):
        p = after.get(before.data[role])
        return p if p is not None and p.state != "Z" else None

    return before, after, now("child"), now("grandchild")


def _line(cp, pid):
    return cp.ps_line(pid) if cp.get(pid) else f"pid {pid} gone"


@check(
    "before the kill the family is whole: main → parent → worker → grandchild",
    zh="杀死之前一家人都在：main → 父进程 → 工作进程 → 孙进程",
)
def family(lab):
    cp = lab.checkpoint("before-kill", "daemon")
    d = cp.data
    c, g = cp.process(d["child"]), cp.process(d["grandchild"])
    return expect(
        cp.process(d["parent"]).ppid == d["main"]
        and c.ppid == d["parent"]
        and g.ppid == d["child"],
        f"parent: {cp.ps_line(d['parent'])}; worker: {cp.ps_line(c.pid)}; grandchild: {cp.ps_line(g.pid)}",
    )


@check(
    "daemon=True: after the parent's SIGKILL the worker and grandchild live on, the worker adopted by pid 1",
    zh="daemon=True：父进程被 SIGKILL 后，工作进程和孙进程都还活着，工作进程被 1 号进程收养",
)
def daemon_survives(lab):
    before, after, c, g = _after(lab, "daemon")
    return expect(
        after.data["parent_signal"] == 9
        and c is not None
        and g is not None
        and c.ppid == 1
        and g.ppid == c.pid,
        f"parent died of signal {after.data['parent_signal']}; worker: {_line(after, before.data['child'])}; "
        f"grandchild: {_line(after, before.data['grandchild'])}",
        worker_ppid=c.ppid if c else None,
    )


@check(
    "PDEATHSIG: the worker dies with its parent, but its grandchild (fork cleared the setting) lives on under pid 1",
    zh="PDEATHSIG：工作进程随父进程一起死去，但孙进程（fork 清除了这个设置）活着，归 1 号进程",
)
def pdeathsig(lab):
    before, after, c, g = _after(lab, "pdeathsig")
    return expect(
        c is None and g is not None and g.ppid == 1,
        f"worker: {_line(after, before.data['child'])}; grandchild: {_line(after, before.data['grandchild'])}",
        worker_alive=c is not None,
        grandchild_ppid=g.ppid if g else None,
    )


@check(
    "PDEATHSIG follows the parent *thread*: the worker died when the thread that started it ended, parent alive",
    zh="PDEATHSIG 跟的是父*线程*：启动工作进程的线程一结束，工作进程就死了，而父进程还活着",
)
def pdeathsig_thread(lab):
    cp = lab.checkpoint("before-kill", "pdeathsig-thread")
    d = cp.data
    par, c = cp.get(d["parent"]), cp.get(d["child"])
    return expect(
        par is not None
        and par.state != "Z"
        and c is not None
        and c.state == "Z"
        and c.ppid == par.pid
        and d["child_signal"] == 9,
        f"before any kill: parent {_line(cp, d['parent'])}; worker {_line(cp, d['child'])}, "
        f"killed by signal {d['child_signal']}",
        worker_state=c.state if c else None,
    )


@check(
    "killpg: one kill of the parent's process group takes the worker and the grandchild with it",
    zh="killpg：对父进程的进程组发一次信号，工作进程和孙进程一起被带走",
)
def killpg(lab):
    before, after, c, g = _after(lab, "killpg")
    d = before.data
    same = d["child_pgid"] == d["grandchild_pgid"] == d["parent"]
    return expect(
        same and c is None and g is None,
        f"process groups: worker {d['child_pgid']}, grandchild {d['grandchild_pgid']}, parent pid {d['parent']}; "
        f"after: worker alive={c is not None}, grandchild alive={g is not None}",
    )


@check(
    "subreaper: the orphaned worker is adopted by main (not pid 1), which then kills and reaps every adoptee",
    zh="subreaper：成为孤儿的工作进程被 main 收养（不是 1 号进程），main 随后杀死并回收所有被收养者",
)
def subreaper(lab):
    adopted = lab.checkpoint("adopted", "subreaper")
    d = adopted.data
    w = adopted.get(d["child"])
    after = lab.checkpoint("after-kill", "subreaper")
    left = [pid for pid in (d["child"], d["grandchild"]) if after.get(pid)]
    return expect(
        w is not None
        and w.ppid == d["main"] != 1
        and not left
        and sorted(after.data["cleaned"]) == sorted([d["child"], d["grandchild"]]),
        f"adopted: {_line(adopted, d['child'])} (main is {d['main']}); cleaned {after.data['cleaned']}; "
        f"left after: {left}",
        worker_ppid=w.ppid if w else None,
    )


@check(
    "pipe: the parent's death closes the write end; worker and grandchild read EOF and exit",
    zh="管道：父进程一死，写端就关闭了；工作进程和孙进程读到 EOF 后退出",
)
def pipe_eof(lab):
    before, after, c, g = _after(lab, "pipe")
    said = lab.run("pipe").lines_with("EOF on the parent's pipe")
    return expect(
        c is None and g is None and len(said) == 2,
        f"worker alive={c is not None}, grandchild alive={g is not None}; they said: {said}",
    )


@check(
    "the trap: when the parent is pid 1, a getppid() == 1 orphan test makes the worker exit at once (code 3)",
    zh="陷阱：当父进程就是 1 号进程时，用 getppid() == 1 判断孤儿会让工作进程立刻退出（退出码 3）",
)
def pid1_trap(lab):
    cp = lab.checkpoint("started", "pid1-trap")
    d = cp.data
    return expect(
        d["main"] == 1 and d["exitcode"] == 3 and cp.get(d["child"]) is None,
        f"main is pid {d['main']} and alive; worker {d['child']} exitcode {d['exitcode']}",
        main=d["main"],
        exitcode=d["exitcode"],
    )


@check(
    "the kernel's record: PDEATHSIG is a SIGKILL the kernel sends the worker as its parent dies (in the dying "
    "parent's context, after its exit), not a signal from any program",
    zh="内核记录：PDEATHSIG 是父进程死去时内核发给工作进程的 SIGKILL（在将死的父进程的上下文里，在它退出之后），"
    "不是任何程序发出的信号",
)
def record_pdeathsig(lab):
    run, d = lab.run("pdeathsig"), lab.checkpoint("before-kill", "pdeathsig").data
    parent_end, worker_end = run.exited(d["parent"]), run.exited(d["child"])
    kill = run.events("signal", target=d["child"], signal="SIGKILL")
    ok = (
        parent_end is not None
        and parent_end.exit_signal == "SIGKILL"
        and len(kill) == 1
        and kill[0].sender == d["parent"]
        and kill[0].result == "delivered"
        and kill[0].t >= parent_end.t
        and worker_end is not None
        and worker_end.exit_signal == "SIGKILL"
        and not run.events("signal", target=d["grandchild"], sender=d["parent"])
    )
    return expect(
        ok,
        "; ".join(
            e.describe()
            for e in [
                *([parent_end] if parent_end else []),
                *kill,
                *([worker_end] if worker_end else []),
            ]
        )
        + "; the grandchild got nothing from the parent",
        sender=kill[0].sender if kill else None,
    )
