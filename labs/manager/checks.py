"""What the manager lab proves: the managed dict lives in a server process (a child of
main, one thread per connected worker); 100 unlocked read-then-write updates lose 99 of
them; with a lock all 100 land; when the manager shuts down the dict is gone with it."""

from proclab.checks import check, expect


@check("the manager is a server process: a child of main, running before any worker exists")
def server_is_child(lab):
    cp = lab.checkpoint("manager-up")
    server = cp.process(cp.data["server"])
    children = cp.children(cp.data["main"])
    return expect(
        server.ppid == cp.data["main"]
        and server.state != "Z"
        and [p.pid for p in children] == [server.pid],
        f"server {server}; main's children: {[p.pid for p in children]}; dict there: {cp.data['dict']}",
        server_pid=server.pid,
        main_pid=cp.data["main"],
    )


@check(
    "all-read: 100 workers alive, each read count=100, none has written; the server runs a thread per worker"
)
def all_read(lab):
    cp = lab.checkpoint("all-read")
    workers = [cp.get(pid) for pid in cp.data["workers"]]
    alive = [p for p in workers if p is not None and p.ppid == cp.data["main"] and p.state != "Z"]
    server = cp.process(cp.data["server"])
    ok = (
        len(alive) == 100
        and cp.data["reads"] == [100]
        and cp.data["count"] == 100
        and server.threads >= 100
    )
    return expect(
        ok,
        f"{len(alive)} workers alive; distinct values read {cp.data['reads']}; count in the dict "
        f"{cp.data['count']}; server pid {server.pid} has {server.threads} threads",
        workers_alive=len(alive),
        server_threads=server.threads,
    )


@check("no lock: 100 decrements from 100 leave 99, so 99 updates were lost")
def lost_updates(lab):
    d = lab.checkpoint("lost-done").data
    lost = d["final"] - (100 - d["workers"])
    return expect(
        d["final"] == 99,
        f"final count {d['final']} after {d['workers']} decrements (expected 0 if none "
        f"were lost): {lost} lost",
        final=d["final"],
        lost=lost,
    )


@check("with a lock: 100 decrements from 100 leave exactly 0")
def locked_exact(lab):
    d = lab.checkpoint("locked-done").data
    return expect(
        d["final"] == 0,
        f"final count {d['final']} after {d['workers']} locked decrements ({d['seconds']:.2f} s)",
        final=d["final"],
    )


@check("after `with Manager()` ends, the server process is gone and the dict can no longer be used")
def gone_after_with(lab):
    up = lab.checkpoint("manager-up")
    cp = lab.checkpoint("manager-closed")
    key = up.process(up.data["server"]).key
    failed = "Error" in cp.data["after"]  # on success the scenario records the value itself
    return expect(
        not cp.has(key) and failed,
        f"server pid {key.pid} present={cp.has(key)}; d['count'] -> {cp.data['after']}",
        after=cp.data["after"].split(":")[0],
    )


@check("the scenario exits 0")
def exits_cleanly(lab):
    code = lab.exit_code
    return expect(code == 0, f"container exit code {code}", exit_code=code)
