"""What the zombies lab proves, each fact with its evidence."""

from proclab.checks import check, expect


def _zombie_at(lab, name):
    cp = lab.checkpoint(name)
    return cp, cp.process(cp.data["child"])


@check(
    "an exited, unwaited child is a zombie: psutil says Z, its parent is the scenario",
    zh="已退出但未被 wait 的子进程是僵尸进程：psutil 显示 Z，父进程是实验程序",
)
def psutil_sees_zombie(lab):
    cp, z = _zombie_at(lab, "zombie-created")
    return expect(z.state == "Z" and z.ppid == cp.data["parent"], f"psutil at zombie-created: {z}")


@check("ps shows the zombie as Z with <defunct>", zh="ps 显示僵尸进程为 Z，带 <defunct>")
def ps_sees_zombie(lab):
    cp, z = _zombie_at(lab, "zombie-created")
    row = cp.ps_row(z.pid)
    return expect(
        row is not None and row.stat.startswith("Z") and row.defunct, f"ps: {cp.ps_line(z.pid)}"
    )


@check(
    "top's Tasks line counts exactly 1 zombie, and top lists it as Z",
    zh="top 的 Tasks 行正好数出 1 个僵尸进程，并列出它的状态 Z",
)
def top_counts_zombie(lab):
    cp, z = _zombie_at(lab, "zombie-created")
    tasks, row = cp.top_tasks, cp.top_row(z.pid)
    return expect(
        tasks is not None and tasks.zombie == 1 and row is not None and row.state == "Z",
        f"top: {cp.top_header()[1] if cp.top else 'not taken'}; row: {row.line.strip() if row else 'none'}",
        top_zombies=tasks.zombie if tasks else None,
    )


@check(
    "psutil, ps and top agree about every scenario process at zombie-created",
    zh="在 zombie-created 时，psutil、ps 和 top 对每个实验进程的看法一致",
)
def views_agree(lab):
    cp = lab.checkpoint("zombie-created")
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
    "after waitpid() the zombie is gone from psutil, ps and top",
    zh="waitpid() 之后，僵尸进程从 psutil、ps 和 top 中消失",
)
def reaped_everywhere(lab):
    before, z = _zombie_at(lab, "zombie-created")
    after = lab.checkpoint("reaped")
    gone_psutil = not after.has(z.key)
    gone_ps = after.ps_row(z.pid) is None
    zombies_top = after.top_tasks.zombie if after.top_tasks else None
    return expect(
        gone_psutil and gone_ps and zombies_top == 0,
        f"pid {z.pid}: in psutil={not gone_psutil}, in ps={not gone_ps}; top zombies={zombies_top}; "
        f"waitpid status={after.data.get('status')}",
    )


@check(
    "a multiprocessing.Process that finished but was not joined is a zombie",
    zh="运行完但没有 join() 的 multiprocessing.Process 是僵尸进程",
)
def mp_zombie(lab):
    cp, z = _zombie_at(lab, "mp-zombie")
    return expect(
        z.state == "Z" and z.ppid == cp.data["parent"] and cp.top_tasks.zombie == 1,
        f"psutil: {z}; ps: {cp.ps_line(z.pid)}; top: {cp.top_header()[1]}",
    )


@check(
    "join() reaps it: gone from the table, exitcode 0",
    zh="join() 回收了它：它离开进程表，exitcode 为 0",
)
def mp_joined(lab):
    _, z = _zombie_at(lab, "mp-zombie")
    after = lab.checkpoint("mp-joined")
    return expect(
        not after.has(z.key) and after.data["exitcode"] == 0 and after.top_tasks.zombie == 0,
        f"after join: pid {z.pid} present={after.has(z.key)}, exitcode={after.data['exitcode']}, "
        f"top zombies={after.top_tasks.zombie}",
    )


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    code = lab.exit_code
    return expect(code == 0, f"container exit code {code}")


@check(
    "the kernel's record: the child exited at t1 and its parent's wait4 reaped it at t2, with "
    "'zombie-created' between: a zombie for t2 − t1",
    zh="内核记录：子进程在 t1 退出，父进程的 wait4 在 t2 回收了它，'zombie-created' 在两者之间：僵尸状态持续 t2 − t1",
)
def record_zombie_time(lab):
    run = lab.run()
    cp = lab.checkpoint("zombie-created")
    child, parent = cp.data["child"], cp.data["parent"]
    end, reap = run.exited(child), run.reaped(child)
    ok = (
        end is not None
        and reap is not None
        and reap.reaper == parent
        and end.exit_code == 0
        and end.t <= cp.at_s <= reap.t
    )
    zombie = reap.t - end.t if end and reap else None
    return expect(
        ok,
        f"{end.describe() if end else 'no exit'}; {reap.describe() if reap else 'no reap'}; "
        f"zombie-created at {cp.at_s:.3f}s"
        + (f"; a zombie for {zombie * 1000:.1f} ms" if zombie is not None else ""),
        zombie_ms=round(zombie * 1000, 1) if zombie is not None else None,
    )
