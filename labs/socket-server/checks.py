"""What the socket-server lab proves, each fact with its evidence.

"served_by" in the checkpoint data maps each client pid to the pids holding
the server end of its TCP connection, read from /proc by psutil in the
container at that moment.
"""

from proclab.checks import check, expect

PER_CONNECTION, WORKERS, POOL_CLIENTS = 5, 4, 6


def _lines(cp, pids):
    return "; ".join(cp.ps_line(p) for p in pids)


def _workers_of(cp, served, server):
    """For each client: the holders of its connection other than the server process."""
    return {c: [p for p in held if p != server] for c, held in served.items()}


@check(
    "a process per connection: 5 clients, 5 handler processes, each a child of the server and holding one client"
)
def one_process_per_client(lab):
    cp = lab.checkpoint("per-connection")
    server, served = cp.data["server"], cp.data["served_by"]
    kids = sorted(p.pid for p in cp.children(server))
    handlers = [held[0] for held in served.values() if len(held) == 1]
    ok = (
        len(served) == PER_CONNECTION
        and len(handlers) == PER_CONNECTION
        and sorted(handlers) == kids
        and len(set(handlers)) == PER_CONNECTION
    )
    return expect(
        ok,
        f"server {server} has children {kids}; connection of client -> held by {served}; "
        f"ps: {_lines(cp, kids)}",
        clients=len(served),
        server_children=len(kids),
        distinct_handlers=len(set(handlers)),
    )


@check(
    "the clients are the main process's children, not the server's, and every one got its line back in upper case"
)
def clients_echoed(lab):
    cp = lab.checkpoint("per-connection")
    main, clients, replies = cp.data["main"], cp.data["clients"], cp.data["replies"]
    parents = {c: cp.process(c).ppid for c in clients}
    expected = {str(c): f"HELLO FROM CLIENT {n}" for n, c in enumerate(clients)}
    ok = all(pp == main for pp in parents.values()) and replies == expected
    return expect(
        ok,
        f"client parents {parents} (main is {main}); replies {replies}",
        clients=len(clients),
        echoed=sum(replies.get(k) == v for k, v in expected.items()),
    )


@check("when the clients hang up, every handler exits 0 and the server reaps them all")
def handlers_end(lab):
    busy, cp = lab.checkpoint("per-connection"), lab.checkpoint("per-connection-done")
    exits = cp.data["handler_exits"]
    kids = [busy.process(p) for p in sorted(p.pid for p in busy.children(busy.data["server"]))]
    left = [k.pid for k in kids if cp.has(k.key)]
    ok = (
        sorted(int(p) for p in exits) == [k.pid for k in kids]
        and set(exits.values()) == {0}
        and cp.data["server_exit"] == 0
        and not left
        and not cp.children(cp.data["main"])
    )
    return expect(
        ok,
        f"handler exit codes {exits}; server exit {cp.data['server_exit']}; handlers still in the "
        f"table: {left}; children of main left: {[p.pid for p in cp.children(cp.data['main'])]}",
        handlers_exited_0=sum(v == 0 for v in exits.values()),
        handlers_left=len(left),
    )


@check(
    "Pool(4) with 6 clients: exactly 4 distinct worker pids serve 4 clients at once, one client each"
)
def pool_serves_four(lab):
    cp = lab.checkpoint("pool-full")
    server, answered = cp.data["server"], cp.data["answered"]
    kids = sorted(p.pid for p in cp.children(server))
    by_worker = _workers_of(cp, cp.data["served_by"], server)
    serving = sorted(w for c in answered for w in by_worker[str(c)])
    ok = (
        kids == cp.data["workers"]
        and len(kids) == WORKERS
        and len(answered) == WORKERS
        and all(len(by_worker[str(c)]) == 1 for c in answered)
        and serving == kids
    )
    return expect(
        ok,
        f"server {server} has {len(kids)} children {kids}; answered clients -> worker "
        f"{ {c: by_worker[str(c)] for c in answered} }; ps: {_lines(cp, kids)}",
        workers=len(kids),
        serving_at_once=len(set(serving)),
        answered=len(answered),
    )


@check(
    "the other 2 clients are connected but wait: no worker holds their connection, and they sleep in recv()"
)
def two_clients_wait(lab):
    cp = lab.checkpoint("pool-full")
    server, waiting = cp.data["server"], cp.data["waiting"]
    by_worker = _workers_of(cp, cp.data["served_by"], server)
    states = {c: cp.process(c).state for c in waiting}
    held_by_server = all(server in cp.data["served_by"][str(c)] for c in waiting)
    ok = (
        len(waiting) == POOL_CLIENTS - WORKERS
        and all(by_worker[str(c)] == [] for c in waiting)
        and held_by_server
        and all(s == "S" for s in states.values())
    )
    return expect(
        ok,
        f"waiting clients {waiting}: connection held by {[cp.data['served_by'][str(c)] for c in waiting]} "
        f"(the server {server} only: accepted, queued for the pool); client states {states}",
        waiting=len(waiting),
    )


@check(
    "when one served client leaves, its worker takes a waiting client: same 4 workers, the freed pid serves it"
)
def freed_worker_takes_next(lab):
    full, cp = lab.checkpoint("pool-full"), lab.checkpoint("pool-one-left")
    server = cp.data["server"]
    by_worker = _workers_of(cp, cp.data["served_by"], server)
    freed = [p for p in cp.data["leaver_served_by"] if p != server]
    newcomer, still = cp.data["newcomer"], cp.data["still_waiting"]
    same_workers = all(cp.has(full.process(w).key) for w in full.data["workers"])
    ok = (
        newcomer in full.data["waiting"]
        and by_worker[str(newcomer)] == freed
        and len(freed) == 1
        and cp.data["workers"] == full.data["workers"]
        and same_workers
        and len(still) == 1
        and by_worker[str(still[0])] == []
    )
    return expect(
        ok,
        f"client {cp.data['leaver']} left worker {freed}; waiting client {newcomer} is now served by "
        f"{by_worker[str(newcomer)]}; workers {cp.data['workers']} (same processes: {same_workers}); "
        f"still waiting: {still}",
        freed_pid=freed[0] if freed else None,
        newcomer_served_by=by_worker[str(newcomer)],
        still_waiting=len(still),
    )


@check("all 6 clients got their echo, from only 4 distinct pids in all")
def pool_done(lab):
    full, cp = lab.checkpoint("pool-full"), lab.checkpoint("pool-done")
    served_by, replies, clients = cp.data["served_by"], cp.data["replies"], full.data["clients"]
    expected = {str(c): f"HELLO FROM CLIENT {n}" for n, c in enumerate(clients)}
    ok = (
        sorted(set(served_by)) == full.data["workers"]
        and len(served_by) == POOL_CLIENTS
        and replies == expected
        and cp.data["server_exit"] == 0
        and set(cp.data["client_exits"]) == {0}
    )
    return expect(
        ok,
        f"connections served by pids {served_by} ({len(set(served_by))} distinct); replies {replies}; "
        f"server exit {cp.data['server_exit']}",
        distinct_pids=len(set(served_by)),
        connections=len(served_by),
    )


@check("the scenario exits 0")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
