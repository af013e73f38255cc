"""What the pid1 lab proves, each fact with its evidence."""

from proclab.checks import check, expect

ORPHANS = 3
GRACE_S = 2.0
# the engine's --init: Docker's docker-init (tini), Podman's podman-init (catatonit)
INITS = ("docker-init", "tini", "podman-init", "catatonit")


def _orphan_points(lab, variant):
    return [lab.checkpoint(f"orphan-{i}", variant) for i in range(1, ORPHANS + 1)]


def _counts(cp):
    """Zombies whose parent is pid 1, as psutil, ps and top count them."""
    return cp.zombie_counts(parent=1)


@check("without an init the scenario itself is pid 1", zh="没有 init 时，实验程序自己就是 1 号进程")
def scenario_is_pid1(lab):
    cp = lab.checkpoint("orphan-1", "no-init")
    p1 = cp.process(1)
    return expect(
        cp.data["scenario"] == 1 and "/lab/scenario.py" in p1.command,
        f"pid 1: {p1}; ps: {cp.ps_line(1)}",
        scenario_pid=cp.data["scenario"],
        pid1=p1.command,
    )


@check(
    "no init: each orphan pid 1 adopts stays a zombie, and the count grows 1, 2, 3 in psutil, ps and top",
    zh="没有 init：1 号进程收养的每个孤儿进程都变成僵尸进程，psutil、ps 和 top 里的数量按 1、2、3 增长",
)
def zombies_pile_up(lab):
    seen, lines = [], []
    ok = True
    for i, cp in enumerate(_orphan_points(lab, "no-init"), start=1):
        orphan = cp.process(cp.data["orphan"])
        counts = _counts(cp)
        seen.append(list(counts))
        ok &= orphan.state == "Z" and orphan.ppid == 1 and counts == (i, i, i)
        lines.append(f"orphan-{i}: {cp.ps_line(orphan.pid)} | psutil/ps/top zombies {counts}")
    return expect(ok, "; ".join(lines), zombies_psutil_ps_top=seen)


@check(
    "with init (tini) as pid 1 the scenario is not pid 1, and every orphan is reaped",
    zh="以 init（tini）为 1 号进程时，实验程序不是 1 号进程，每个孤儿进程都被回收",
)
def init_reaps(lab):
    lines, seen, ok = [], [], True
    for i, cp in enumerate(_orphan_points(lab, "init"), start=1):
        p1 = cp.process(1)
        counts = _counts(cp)
        seen.append(list(counts))
        ok &= (
            p1.name in INITS
            and cp.data["scenario"] != 1
            and cp.get(cp.data["orphan"]) is None
            and counts == (0, 0, 0)
        )
        if i == 1:
            lines.append(f"pid 1: {cp.ps_line(1)}; scenario: {cp.ps_line(cp.data['scenario'])}")
        lines.append(
            f"orphan-{i} pid {cp.data['orphan']} present={cp.get(cp.data['orphan']) is not None}, "
            f"zombies psutil/ps/top {counts}"
        )
    return expect(ok, "; ".join(lines), zombies_psutil_ps_top=seen)


@check(
    "a `docker exec` shell has ppid 0 (its parent is outside the container); its orphan is adopted by pid 1",
    zh="`docker exec` 启动的 shell 的 ppid 是 0（父进程在容器之外）；它的孤儿进程由 1 号进程收养",
)
def exec_orphan_adopted(lab):
    run = lab.run("no-init")
    act = run.action("exec")
    out = act.stdout.splitlines()
    shell = next((ln.split() for ln in out if ln.strip() and ln.split()[0].isdigit()), None)
    orphan_pid = next((int(ln.split("=", 1)[1]) for ln in out if ln.startswith("orphan=")), None)
    cp = lab.checkpoint("exec-orphan", "no-init")
    orphan = cp.get(orphan_pid) if orphan_pid else None
    return expect(
        shell is not None
        and shell[1] == "0"
        and orphan is not None
        and orphan.ppid == 1
        and orphan_pid in cp.data["strangers"],
        f"the exec'd shell's own ps line: {' '.join(shell or ['?'])!r} (pid, ppid, args); "
        f"its orphan at exec-orphan: {cp.ps_line(orphan_pid or 0)}; "
        f"the scenario's children it never forked: {cp.data['strangers']}",
        shell_ppid=int(shell[1]) if shell else None,
        orphan_ppid=orphan.ppid if orphan else None,
    )


@check(
    "when pid 1 exits, the kernel kills the rest: the hour-long launcher's host pid is gone at once",
    zh="1 号进程退出时，内核杀死其余所有进程：运行一小时的 launcher 在宿主机上的 pid 立刻消失",
)
def child_dies_with_pid1(lab):
    lines, figures, ok = [], {}, True
    for variant in ("no-init", "init"):
        run, cp = lab.run(variant), lab.checkpoint("last-words", variant)
        w = cp.process(cp.data["launcher"])
        host_pid = cp.host_pids.get(w.pid)
        alive_after = run.host_alive_after_exit.get(host_pid) if host_pid else None
        survivors = [hp for hp, alive in run.host_alive_after_exit.items() if alive]
        ok &= w.state != "Z" and host_pid is not None and alive_after is False and not survivors
        figures[variant] = {
            "launcher_pid": w.pid,
            "launcher_host_pid": host_pid,
            "alive_after_exit": alive_after,
            "host_pids_seen": len(run.host_alive_after_exit),
            "survivors": survivors,
        }
        lines.append(
            f"{variant}: launcher pid {w.pid} = host pid {host_pid}, {w.state} at last-words; "
            f"after the container ended: alive={alive_after}; "
            f"{len(run.host_alive_after_exit)} host pids seen, survivors {survivors}"
        )
    return expect(ok, "; ".join(lines), **figures)


def _stop(lab, variant):
    run = lab.run(variant)
    return run, next(a for a in run.actions if a.do in ("stop", "kill"))


@check(
    "docker stop, pid 1 without a SIGTERM handler: SIGTERM is not delivered, stop waits the grace period, then SIGKILL: 137",
    zh="docker stop，1 号进程没有 SIGTERM 处理函数：SIGTERM 不被投递，等满宽限期后 SIGKILL：137",
)
def stop_no_handler(lab):
    run, d = _stop(lab, "stop-no-handler")
    cp = lab.checkpoint("ready", "stop-no-handler")
    return expect(
        cp.data["scenario"] == 1
        and not cp.data["catches_sigterm"]
        and d.exit_code == 137
        and d.took_s >= GRACE_S,
        f"pid 1 catches SIGTERM: {cp.data['catches_sigterm']} ({cp.data['sigcgt']}); "
        f"docker stop -t {d.grace_s:g} took {d.took_s:.2f}s, exit code {d.exit_code} = 128+9",
        took_s=d.took_s,
        exit_code=d.exit_code,
        grace_s=d.grace_s,
    )


@check(
    "docker stop with tini as pid 1: SIGTERM is forwarded, the scenario dies of it at once: 143",
    zh="docker stop，tini 是 1 号进程：SIGTERM 被转发，实验程序立刻死于它：143",
)
def stop_init(lab):
    run, d = _stop(lab, "stop-init")
    cp = lab.checkpoint("ready", "stop-init")
    return expect(
        cp.data["scenario"] != 1 and d.exit_code == 143 and d.took_s < GRACE_S / 2,
        f"pid 1 is {cp.data['pid1']}, the scenario is pid {cp.data['scenario']}; "
        f"docker stop -t {d.grace_s:g} took {d.took_s:.2f}s, exit code {d.exit_code} = 128+15",
        took_s=d.took_s,
        exit_code=d.exit_code,
        grace_s=d.grace_s,
    )


@check(
    "docker stop, pid 1 with a SIGTERM handler: it exits with its own code (0), well within the grace period",
    zh="docker stop，1 号进程有 SIGTERM 处理函数：它以自己的退出码（0）结束，远在宽限期之内",
)
def stop_handler(lab):
    run, d = _stop(lab, "stop-handler")
    cp = lab.checkpoint("ready", "stop-handler")
    said = run.lines_with("SIGTERM received")
    return expect(
        cp.data["scenario"] == 1
        and cp.data["catches_sigterm"]
        and said
        and d.exit_code == 0
        and d.took_s < GRACE_S / 2,
        f"pid 1 catches SIGTERM: {cp.data['catches_sigterm']} ({cp.data['sigcgt']}); "
        f"it said {said[:1]}; docker stop took {d.took_s:.2f}s, exit code {d.exit_code}",
        took_s=d.took_s,
        exit_code=d.exit_code,
        grace_s=d.grace_s,
    )


@check(
    "Python catches SIGINT but not SIGTERM: docker kill --signal SIGINT ends the same pid 1 at once (130)",
    zh="Python 处理 SIGINT 但不处理 SIGTERM：docker kill --signal SIGINT 能立刻结束同一个 1 号进程（130）",
)
def kill_int(lab):
    run, d = _stop(lab, "kill-int")
    cp = lab.checkpoint("ready", "kill-int")
    tb = run.lines_with("KeyboardInterrupt")
    return expect(
        cp.data["scenario"] == 1
        and cp.data["catches_sigint"]
        and not cp.data["catches_sigterm"]
        and tb
        and d.exit_code == 130
        and d.took_s < GRACE_S / 2,
        f"{cp.data['sigcgt']}: SIGINT caught={cp.data['catches_sigint']}, "
        f"SIGTERM caught={cp.data['catches_sigterm']}; output {tb[-1:]}; "
        f"docker kill took {d.took_s:.2f}s, exit code {d.exit_code}",
        took_s=d.took_s,
        exit_code=d.exit_code,
    )


@check(
    "side by side: the unhandled SIGTERM costs the whole grace period, every other way is at least twice as fast",
    zh="并排比较：没有处理的 SIGTERM 耗掉整个宽限期，其他方式都至少快一倍",
)
def side_by_side(lab):
    table = {}
    for v in ("stop-no-handler", "stop-init", "stop-handler", "kill-int"):
        _, d = _stop(lab, v)
        table[v] = {"took_s": d.took_s, "exit_code": d.exit_code}
    slow = table["stop-no-handler"]["took_s"]
    fastest_others = max(t["took_s"] for v, t in table.items() if v != "stop-no-handler")
    return expect(
        slow >= 2 * fastest_others,
        ", ".join(f"{v}: {t['took_s']:.2f}s exit {t['exit_code']}" for v, t in table.items()),
        **table,
    )


@check(
    "the kernel's record: docker stop's SIGTERM to pid 1 was *ignored* by the kernel, and a grace period "
    "later the engine's SIGKILL ended it",
    zh="内核记录：docker stop 发给 1 号进程的 SIGTERM 被内核*忽略*，宽限期过后引擎的 SIGKILL 结束了它",
)
def record_stop_no_handler(lab):
    run = lab.run("stop-no-handler")
    term = run.events("signal", target=1, signal="SIGTERM")
    kill = run.events("signal", target=1, signal="SIGKILL")
    end = run.exited(1)
    gap = kill[0].t - term[0].t if term and kill else None
    ok = (
        len(term) == 1
        and term[0].result == "ignored"
        and len(kill) == 1
        and kill[0].result == "delivered"
        and end is not None
        and end.exit_signal == "SIGKILL"
        and gap is not None
        and gap >= GRACE_S * 0.95
    )
    return expect(
        ok,
        "; ".join(e.describe() for e in [*term, *kill, *([end] if end else [])])
        + (f"; {gap:.2f}s from the ignored SIGTERM to the SIGKILL" if gap is not None else ""),
        sigterm=[str(e.result) for e in term],
        gap_s=round(gap, 3) if gap is not None else None,
    )


@check(
    "the kernel's record: with tini as pid 1, docker stop's SIGTERM reaches tini, tini sends its own SIGTERM "
    "to the scenario, which dies of it and is reaped by tini's wait4",
    zh="内核记录：tini 是 1 号进程时，docker stop 的 SIGTERM 到达 tini，tini 自己再向实验程序发 SIGTERM，"
    "实验程序死于它，并被 tini 的 wait4 回收",
)
def record_stop_init(lab):
    run = lab.run("stop-init")
    scenario = lab.checkpoint("ready", "stop-init").data["scenario"]
    to_tini = run.events("signal", target=1, signal="SIGTERM")
    forwarded = run.events("signal", target=scenario, signal="SIGTERM", sender=1)
    end = run.exited(scenario)
    ok = (
        scenario != 1
        and len(to_tini) == 1
        and to_tini[0].sender is None
        and len(forwarded) == 1
        and forwarded[0].result == "delivered"
        and forwarded[0].t >= to_tini[0].t
        and end is not None
        and end.exit_signal == "SIGTERM"
        and run.reaped_by(scenario) == 1
    )
    return expect(
        ok,
        "; ".join(e.describe() for e in [*to_tini, *forwarded, *([end] if end else [])])
        + f"; reaped by {run.reaped_by(scenario)}",
        forwarded=len(forwarded),
        reaped_by=run.reaped_by(scenario),
    )
