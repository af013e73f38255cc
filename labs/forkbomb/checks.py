"""What the forkbomb lab proves, each fact with its evidence."""

from proclab.checks import check, expect

VARIANTS = ("pids-limit", "ulimit-as-root")
NOISE = 32  # half the bomb: host processes that other work may start or end during one run


def _contained(lab, variant):
    return lab.checkpoint("contained", variant)


@check("at the limit fork() fails with BlockingIOError (EAGAIN), in both variants")
def fork_fails_eagain(lab):
    parts, ok = [], True
    for v in VARIANTS:
        d = _contained(lab, v).data
        ok &= d["fork_error"] == "BlockingIOError" and d["errno"] == "EAGAIN" and d["eagain"] >= 1
        parts.append(
            f"{v}: my fork -> {d['fork_error']} {d['errno']} ({d['strerror']}); "
            f"{d['eagain']} of the bombers' forks refused with EAGAIN"
        )
    return expect(
        ok, "; ".join(parts), eagain={v: _contained(lab, v).data["eagain"] for v in VARIANTS}
    )


@check(
    "the container's task count stops exactly at pids_limit (64): cgroup, psutil and the snapshot agree"
)
def count_stops_at_limit(lab):
    parts, ok, figures = [], True, {}
    for v in VARIANTS:
        cp = _contained(lab, v)
        d, limit = cp.data, lab.run(v).settings.pids_limit
        in_snapshot = len(cp.scenario)
        # The resident probe (the fast snapshot path) holds one of the 64 tasks from the
        # first checkpoint on; the exec path's probe has exited by then. Count it, don't hide it.
        resident = len(cp.resident_pids)
        ps_rows = [r for r in cp.ps_rows if r.pid not in cp.probe_pids]
        ok &= (
            int(d["pids_max"]) == limit
            and d["full"]["pids_current"] == limit
            and d["full"]["psutil_count"] == limit
            and in_snapshot + d["freed"] + resident == limit
            and len(ps_rows) == in_snapshot
            and d["bombers"] + 2 + resident == limit
        )
        probe = f" + {resident} resident probe" if resident else ""
        parts.append(
            f"{v}: at full pids.current={d['full']['pids_current']} of pids.max={d['pids_max']}, "
            f"psutil saw {d['full']['psutil_count']}; snapshot after freeing {d['freed']} seeds for "
            f"the probe: {in_snapshot} scenario processes (ps: {len(ps_rows)}) + {d['freed']}{probe} = "
            f"{in_snapshot + d['freed'] + resident}; {d['bombers']} bombers + tini + scenario{probe}"
        )
        figures[v] = {
            "limit": limit,
            "at_full": d["full"]["pids_current"],
            "in_snapshot": in_snapshot,
            "resident_probe": resident,
        }
    return expect(ok, "; ".join(parts), **figures)


@check(
    "as root, RLIMIT_NPROC (ulimit -u 10) did not stop the bomb: 64 root processes, stopped only by the cgroup"
)
def ulimit_does_not_stop_root(lab):
    cp = _contained(lab, "ulimit-as-root")
    before = lab.checkpoint("before", "ulimit-as-root").data
    users = sorted({p.user for p in cp.scenario})
    at_full = cp.data["full"]["pids_current"]
    return expect(
        before["uid"] == 0 and before["nproc_limit"] == 10 and at_full > 10 and users == ["root"],
        f"uid {before['uid']}, RLIMIT_NPROC={before['nproc_limit']}, yet the container reached "
        f"{at_full} tasks (users: {users}); it stopped at pids.max={cp.data['pids_max']}",
        nproc_limit=before["nproc_limit"],
        reached=at_full,
    )


@check(
    "the host sees the bomb as exactly the container's tasks; its own process count is unaffected"
)
def host_unaffected(lab):
    parts, ok, figures = [], True, {}
    for v in VARIANTS:
        run, cp = lab.run(v), _contained(lab, v)
        before, during, after = run.host["before"], cp.host, run.host["after"]
        if not during.get("sees_lab"):
            return expect(
                False,
                f"{v}: the harness cannot see the container's processes from the host "
                f"(Docker on another machine?): host figures {during}",
            )
        own = [before["host_own"], during["host_own"], after["host_own"]]
        drift = max(own) - min(own)
        ok &= (
            during["in_lab"] == cp.data["pids_current"] and drift <= NOISE and after["in_lab"] == 0
        )
        parts.append(
            f"{v}: the host's own processes (in no container) before/during/after = "
            f"{own[0]}/{own[1]}/{own[2]} (drift {drift} <= {NOISE}); in the lab's cgroup during: "
            f"{during['in_lab']} (container says {cp.data['pids_current']}), after: {after['in_lab']}; "
            f"all host processes during: {during['processes']} of pid_max {during['pid_max']}"
        )
        figures[v] = {
            "host_own": own,
            "drift": drift,
            "in_lab_during": during["in_lab"],
            "all_during": during["processes"],
        }
    return expect(ok, "; ".join(parts), **figures)


@check("letting go ends every bomber: the scenario reaps the orphans, 2 tasks remain, exit code 0")
def released_cleanly(lab):
    parts, ok = [], True
    for v in VARIANTS:
        rel, run = lab.checkpoint("released", v), lab.run(v)
        ok &= len(rel.scenario) == 2 and run.exit_code == 0
        parts.append(
            f"{v}: reaped {rel.data['reaped']} orphaned bombers; left in the snapshot: {rel.pids()} "
            f"(tini and the scenario); exit code {run.exit_code}"
        )
    return expect(ok, "; ".join(parts))
