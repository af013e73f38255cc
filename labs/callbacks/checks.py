"""What the callbacks lab proves, each fact with its evidence: who downloaded each page and who
parsed it, by pid, beside the harness's process table and the server's own log."""

from proclab.checks import check, expect

PAGES, WORKERS = 6, 3


def _children(cp, pid):
    return sorted(p.pid for p in cp.children(pid))


@check(
    "the web server is a process of its own, a child of main, serving on 127.0.0.1 (loopback only)"
)
def server_on_loopback(lab):
    cp = lab.checkpoint("downloading")
    d, log = cp.data, lab.checkpoint("parsed").data["requests"]
    server = cp.process(d["server"])
    clients = sorted({r["client"][0] for r in log})
    ok = (
        server.ppid == d["main"]
        and server.pid not in d["workers"]
        and clients == ["127.0.0.1"]
        and {r["server_pid"] for r in log} == {server.pid}
        and len(log) == PAGES
        and d["interfaces"] == ["lo"]
    )
    return expect(
        ok,
        f"server {cp.ps_line(server.pid)}; it logged {len(log)} requests from {clients} on port "
        f"{d['port']}, all answered by pid {sorted({r['server_pid'] for r in log})}; the container's "
        f"network interfaces: {d['interfaces']}",
        server=server.pid,
        requests=len(log),
    )


@check(
    "while 3 downloads wait for the server, the Pool's 3 workers are asleep (S), children of main, "
    "and no page has been parsed yet"
)
def downloading_sleeps(lab):
    cp = lab.checkpoint("downloading")
    d = cp.data
    rows = [cp.process(p) for p in d["workers"]]
    kids = [p for p in _children(cp, d["main"]) if p != d["server"]]
    ok = (
        len(rows) == WORKERS
        and kids == d["workers"]
        and all(r.state == "S" for r in rows)
        and d["awake"] == []
        and d["in_flight"] == WORKERS
        and d["parsed"] == 0
    )
    return expect(
        ok,
        f"workers {[f'{r.pid} {r.state}' for r in rows]}; main's children besides the server {kids}; "
        f"pages parsed so far {d['parsed']}; ps: " + "; ".join(cp.ps_line(r.pid) for r in rows),
        parsed=d["parsed"],
        states=[r.state for r in rows],
    )


@check(
    "every page was downloaded by a Pool worker, over a connection the server logged from that port"
)
def fetched_by_workers(lab):
    cp = lab.checkpoint("parsed")
    d = cp.data
    ports = {r["client"][1]: r["path"] for r in d["requests"]}
    by = {p["url"].rsplit("/", 1)[1]: p["fetched_by"] for p in d["pages"]}
    ok = (
        len(d["pages"]) == PAGES
        and all(p["fetched_by"] in d["workers"] for p in d["pages"])
        and all(p["fetcher_parent"] == d["main"] for p in d["pages"])
        and all(ports.get(p["local_port"]) == "/" + p["url"].split("/", 3)[3] for p in d["pages"])
        and all(cp.process(w).ppid == d["main"] for w in d["workers"])
    )
    return expect(
        ok,
        f"page → worker pid {by} (workers {d['workers']}); each worker's local port and the path "
        f"the server logged from it: "
        + ", ".join(f"{p['local_port']}→{ports.get(p['local_port'])}" for p in d["pages"]),
        fetchers=sorted(set(by.values())),
    )


@check(
    "every page was parsed by the callback in the main process (the Pool's result-handler thread), "
    "never in a worker"
)
def parsed_in_main(lab):
    cp = lab.checkpoint("parsed")
    d = cp.data
    parsers = sorted({p["parsed_by"] for p in d["pages"]})
    threads = sorted({p["thread"] for p in d["pages"]})
    ok = (
        parsers == [d["main"]]
        and not set(parsers) & set(d["workers"])
        and len(threads) == 1
        and "_handle_results" in threads[0]
        and cp.process(d["main"]).ppid == 1
    )
    return expect(
        ok,
        f"parsed in pid {parsers} (main is {d['main']}, the workers {d['workers']}), "
        f"thread {threads}; ps: {cp.ps_line(d['main'])}",
        parsers=parsers,
        main=d["main"],
    )


@check(
    "the callback parsed all 6 pages: each title and the links to the next pages, and every result is ready"
)
def all_parsed(lab):
    d = lab.checkpoint("parsed").data
    got = {int(p["url"].rsplit("/", 1)[1]): p for p in d["pages"]}
    want_links = {n: [f"/page/{m}" for m in (n + 1, n + 2) if m < PAGES] for n in range(PAGES)}
    ok = (
        sorted(got) == list(range(PAGES))
        and all(got[n]["title"] == f"Page {n}" for n in got)
        and all(got[n]["links"] == want_links[n] for n in got)
        and d["ready"] == [True] * PAGES
        and d["successful"] == [True] * PAGES
    )
    return expect(
        ok,
        "; ".join(f"{got[n]['title']} → {got[n]['links']}" for n in sorted(got))
        + f"; ready {d['ready'].count(True)} of {len(d['ready'])}",
        pages=len(got),
    )


@check("close()+join() ends the 3 workers, the server is stopped, and the scenario exits 0")
def ends_cleanly(lab):
    cp = lab.checkpoint("done")
    d = cp.data
    left = [p for p in [*d["workers"], d["server"]] if cp.get(p) is not None]
    ok = not left and d["children"] == [] and _children(cp, d["main"]) == [] and lab.exit_code == 0
    return expect(
        ok,
        f"still in the table: {left}; main's children {_children(cp, d['main'])}; server exit code "
        f"{d['server_exitcode']}; container exit code {lab.exit_code}",
    )
