"""What the states lab proves, each fact with its evidence."""

from proclab.checks import check, expect

CHECKPOINTS = (
    "running",
    "stopped",
    "still-stopped",
    "continued",
    "sleeping",
    "uninterruptible",
    "stop-pending",
    "stopped-on-waking",
    "zombie",
)


def _states(cp, *keys):
    return {k: cp.process(cp.data[k]).state for k in keys}


@check(
    "two busy loops pinned to one CPU are both R: Linux's R is 'ready or running', and each has waited "
    "on the run queue"
)
def busy_is_r(lab):
    cp = lab.checkpoint("running")
    a, b = cp.process(cp.data["a"]), cp.process(cp.data["b"])
    aff = cp.data["affinity"]
    waits = {pid: s["runqueue_wait_ns"] / 1e6 for pid, s in cp.data["schedstat"].items()}
    top = [cp.top_row(p.pid) for p in (a, b)]
    ok = (
        a.state == b.state == "R"
        and all(cp.ps_row(p.pid).state == "R" for p in (a, b))
        and all(r is not None and r.state == "R" for r in top)
        and aff[str(a.pid)] == aff[str(b.pid)]
        and len(aff[str(a.pid)]) == 1
        and all(w > 0 for w in waits.values())
    )
    return expect(
        ok,
        f"{cp.ps_line(a.pid)} | {cp.ps_line(b.pid)}; both on CPUs {aff[str(a.pid)]}; "
        f"run-queue wait so far (ms): {waits}; top: {cp.top_header()[1] if cp.top else '-'}",
        runqueue_wait_ms=waits,
        top_running=cp.top_tasks.running if cp.top_tasks else None,
    )


@check(
    "SIGSTOP makes a process T and it uses no CPU while stopped (its CPU time stands still, its twin's grows); "
    "SIGCONT makes it R again"
)
def stop_and_continue(lab):
    st, still, cont = (
        lab.checkpoint("stopped"),
        lab.checkpoint("still-stopped"),
        lab.checkpoint("continued"),
    )
    a1, a2, a3 = (cp.process(cp.data["a"]) for cp in (st, still, cont))
    b1, b2 = st.process(st.data["b"]), still.process(still.data["b"])
    ok = (
        a1.state == a2.state == "T"
        and st.ps_row(a1.pid).state == "T"
        and b1.state == "R"
        and a2.cpu_s == a1.cpu_s
        and b2.cpu_s > b1.cpu_s
        and a3.state == "R"
        and cont.ps_row(a3.pid).state == "R"
    )
    return expect(
        ok,
        f"stopped: {st.ps_line(a1.pid)}; CPU s of the stopped one {a1.cpu_s:.2f} -> {a2.cpu_s:.2f}, "
        f"of the running twin {b1.cpu_s:.2f} -> {b2.cpu_s:.2f}; after SIGCONT: {cont.ps_line(a3.pid)}",
        stopped_cpu_s=[a1.cpu_s, a2.cpu_s],
        twin_cpu_s=[b1.cpu_s, b2.cpu_s],
    )


@check("a process blocked reading a pipe and one in sleep() are S, each with a kernel wait channel")
def blocked_is_s(lab):
    cp = lab.checkpoint("sleeping")
    states = _states(cp, "reader", "sleeper")
    wchan = cp.data["wchan"]
    ok = (
        set(states.values()) == {"S"}
        and all(w not in ("", "0") for w in wchan.values())
        and all(
            cp.top_row(cp.data[k]) and cp.top_row(cp.data[k]).state == "S"
            for k in ("reader", "sleeper")
        )
    )
    return expect(
        ok,
        f"{cp.ps_line(cp.data['reader'])} (waits in {wchan[str(cp.data['reader'])]}) | "
        f"{cp.ps_line(cp.data['sleeper'])} (waits in {wchan[str(cp.data['sleeper'])]})",
        states=states,
        wchan=wchan,
    )


@check(
    "D without privileges: a parent waiting inside vfork (posix_spawn) is D; a SIGSTOP sent then stays "
    "pending (still D), and takes effect the moment it wakes (T)"
)
def vfork_wait_is_d(lab):
    d, pend, woke = (
        lab.checkpoint("uninterruptible"),
        lab.checkpoint("stop-pending"),
        lab.checkpoint("stopped-on-waking"),
    )
    v = d.process(d.data["vforker"])
    spawned = d.process(d.data["spawned"])
    stop_bit = bool(int(pend.data["pending"].split()[1], 16) & (1 << (19 - 1)))
    ok = (
        v.state == "D"
        and d.ps_row(v.pid).state == "D"
        and d.top_row(v.pid).state == "D"
        and spawned.ppid == v.pid
        and spawned.state == "S"
        and pend.process(v.pid).state == "D"
        and pend.data["state_now"] == "D"
        and stop_bit
        and woke.process(v.pid).state == "T"
        and woke.process(spawned.pid).state == "Z"
    )
    return expect(
        ok,
        f"{d.ps_line(v.pid)} (waits in {d.data['wchan']}), its child {d.ps_line(spawned.pid)}; "
        f"after SIGSTOP: {pend.ps_line(v.pid)}, {pend.data['pending']} (SIGSTOP pending={stop_bit}); "
        f"after the FIFO opened: {woke.ps_line(v.pid)}, its child (exec'd true, exited) "
        f"{woke.ps_line(spawned.pid)}",
        states=[v.state, pend.process(v.pid).state, woke.process(v.pid).state],
    )


@check("an exited, unreaped child is Z, and top counts it")
def exited_is_z(lab):
    cp = lab.checkpoint("zombie")
    z = cp.process(cp.data["zombie"])
    ok = z.state == "Z" and cp.ps_row(z.pid).defunct and cp.top_tasks and cp.top_tasks.zombie == 1
    return expect(
        ok,
        f"{cp.ps_line(z.pid)}; top: {cp.top_header()[1] if cp.top else '-'}",
        state=z.state,
        top_zombies=cp.top_tasks.zombie if cp.top_tasks else None,
    )


@check(
    "psutil and ps (and top, where taken) agree on the state of every process of the scenario at every "
    "checkpoint"
)
def views_agree(lab):
    problems, seen = [], {}
    for name in CHECKPOINTS:
        cp = lab.checkpoint(name)
        mine = cp.held  # the one rule (Snapshot.held): not the probe's, not tini at pid 1
        problems += [f"{name}: {p}" for p in cp.disagreements()]
        seen[name] = "".join(sorted(p.state for p in mine))
    return expect(
        all(seen.values()) and not problems,
        "; ".join(problems)
        or "agree everywhere; states per checkpoint: "
        + ", ".join(f"{k} {v}" for k, v in seen.items()),
        states=seen,
    )
