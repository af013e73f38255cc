"""What the orphans lab proves."""

from proclab.checks import check, expect


@check(
    "before the child exits, the grandchild's parent is the child",
    zh="子进程退出前，孙进程的父进程是子进程",
)
def family(lab):
    cp = lab.checkpoint("family", "init")
    g = cp.process(cp.data["grandchild"])
    return expect(g.ppid == cp.data["child"], f"grandchild {g}; child pid {cp.data['child']}")


@check(
    "the orphan is adopted by pid 1, the container's init (psutil and ps)",
    zh="孤儿进程被容器的 init（1 号进程）收养（psutil 和 ps）",
)
def adopted_by_pid1(lab):
    before = lab.checkpoint("family", "init")
    cp = lab.checkpoint("orphaned", "init")
    g = cp.process(
        before.process(before.data["grandchild"]).key
    )  # the same process, not just the same pid
    init = cp.process(1)
    row = cp.ps_row(g.pid)
    return expect(
        g.ppid == 1 and row is not None and row.ppid == 1,
        f"grandchild {g}; ps: {cp.ps_line(g.pid)}; pid 1 is {init.command!r}",
        new_ppid=g.ppid,
    )


@check("the orphan's old parent is gone from the table", zh="孤儿进程原来的父进程已离开进程表")
def child_gone(lab):
    before = lab.checkpoint("family", "init")
    cp = lab.checkpoint("orphaned", "init")
    child = before.process(before.data["child"])
    return expect(
        not cp.has(child.key) and cp.ps_row(child.pid) is None,
        f"child pid {child.pid} in psutil={cp.has(child.key)}, in ps={cp.ps_row(child.pid) is not None}",
    )


@check(
    "with a child subreaper, the orphan is adopted by main, not by pid 1",
    zh="有 child subreaper 时，孤儿进程由 main 收养，而不是 1 号进程",
)
def adopted_by_subreaper(lab):
    before = lab.checkpoint("family", "subreaper")
    cp = lab.checkpoint("orphaned", "subreaper")
    g = cp.process(before.process(before.data["grandchild"]).key)
    return expect(
        g.ppid == cp.data["main"] != 1,
        f"grandchild {g}; main is pid {cp.data['main']}; ps: {cp.ps_line(g.pid)}",
        new_ppid=g.ppid,
        main=cp.data["main"],
    )


@check(
    "the subreaper can waitpid() its adopted grandchild, and it leaves the table",
    zh="subreaper 可以 waitpid() 它收养的孙进程，孙进程随后离开进程表",
)
def subreaper_reaps(lab):
    cp = lab.checkpoint("subreaper-reaped", "subreaper")
    return expect(
        cp.data["status"] == 0 and cp.get(cp.data["grandchild"]) is None,
        f"waitpid status {cp.data['status']}; grandchild in table: {cp.get(cp.data['grandchild']) is not None}",
    )


@check("psutil, ps and top agree at 'orphaned'", zh="在 'orphaned' 时，psutil、ps 和 top 看法一致")
def views_agree(lab):
    cp = lab.checkpoint("orphaned", "init")
    held = [
        p.pid for p in cp.held
    ]  # the one rule (Snapshot.held): not the probe's, not tini at pid 1
    problems = cp.disagreements()
    return expect(
        held and not problems,
        "; ".join(problems) or f"pids {held} agree in all three views",
        compared=held,
    )


@check(
    "the kernel's record: when the orphan exits, its SIGCHLD goes to its new parent (pid 1, or the subreaper "
    "main), whose wait4 reaps it",
    zh="内核记录：孤儿进程退出时，它的 SIGCHLD 发给新的父进程（1 号进程，或 subreaper main），由它的 wait4 回收",
)
def record_sigchld_to_new_parent(lab):
    lines, ok, figures = [], True, {}
    for variant in ("init", "subreaper"):
        run, cp = lab.run(variant), lab.checkpoint("family", variant)
        g, adopter = cp.data["grandchild"], 1 if variant == "init" else cp.data["main"]
        chld = run.events("signal", signal="SIGCHLD", sender=g)
        reaper = run.reaped_by(g)
        ok &= (
            [e.target for e in chld] == [adopter]
            and reaper == adopter
            and adopter != cp.data["child"]
        )
        figures[variant] = {"sigchld_to": [e.target for e in chld], "reaped_by": reaper}
        lines.append(
            f"{variant}: " + "; ".join(e.describe() for e in chld) + f"; reaped by {reaper}"
        )
    return expect(ok, " | ".join(lines), **figures)
