"""What the start-methods lab proves, each fact with its evidence."""

import statistics

from proclab.checks import check, expect

TIMED = 5


def _child(lab, method):
    cp = lab.checkpoint(f"{method}-child")
    return cp, cp.data["report"]


def _cmd(cp, pid):
    p = cp.get(pid)
    return p.command if p else f"(pid {pid} not in the table)"


@check(
    "fork: the child is a copy: it sees the global as main changed it, has the open file, and imports nothing"
)
def fork_copies(lab):
    cp, r = _child(lab, "fork")
    main = cp.data["main"]
    kids = [p.pid for p in cp.children(main)]
    ok = (
        r["colour"] == "green"
        and r["fd_is"] == "the same file"
        and r["module_name"] == "__main__"
        and r["ppid"] == main
        and cp.data["imports"] == []
        and cp.data["helpers"] == {}
        and kids == [r["pid"]]
    )
    return expect(
        ok,
        f"child {r['pid']} (parent {r['ppid']}): COLOUR={r['colour']!r}, fd {r['fd']} -> "
        f"{r['fd_points_to']} ({r['fd_is']}), module {r['module_name']}; module-level code ran again "
        f"{len(cp.data['imports'])} times; main's children {kids}: {_cmd(cp, r['pid'])}",
        imports=len(cp.data["imports"]),
        children_of_main=len(kids),
    )


@check(
    "spawn: every child imports the main module again (as __mp_main__): the module-level code ran once per child"
)
def spawn_reimports(lab):
    cp, r = _child(lab, "spawn")
    spawned = sorted(cp.data["timed_pids"] + [r["pid"]])
    lines = cp.data["imports"]
    ok = sorted(i["pid"] for i in lines) == spawned and {i["name"] for i in lines} == {
        "__mp_main__"
    }
    return expect(
        ok,
        f"{len(spawned)} spawn children {spawned}; module-level code lines {lines}",
        children=len(spawned),
        imports=len(lines),
    )


@check(
    "spawn: the child sees the global as the file defines it, not main's change, and does not have the open file"
)
def spawn_fresh(lab):
    cp, r = _child(lab, "spawn")
    ok = (
        r["colour"] == "red"
        and r["fd_is"] != "the same file"
        and r["module_name"] == "__mp_main__"
        and r["ppid"] == cp.data["main"]
    )
    return expect(
        ok,
        f"child {r['pid']} (parent {r['ppid']}): COLOUR={r['colour']!r}; fd {r['fd']} is "
        f"{r['fd_is']} ({r['fd_points_to']}); module {r['module_name']}",
        colour=r["colour"],
        fd_is=r["fd_is"],
        module_name=r["module_name"],
    )


@check(
    "spawn: the child is a fresh python3 started with spawn_main, and a resource tracker process appears beside it"
)
def spawn_helpers(lab):
    cp, r = _child(lab, "spawn")
    main, tracker = cp.data["main"], cp.data["helpers"].get("resource_tracker")
    child = cp.process(r["pid"])
    t = cp.get(tracker) if tracker else None
    ok = (
        "spawn_main" in child.command
        and "--multiprocessing-fork" in child.command
        and t is not None
        and t.ppid == main
        and "resource_tracker" in t.command
    )
    return expect(
        ok,
        f"child: {cp.ps_line(r['pid'])}; resource tracker: "
        f"{cp.ps_line(tracker) if tracker else 'none'}",
        resource_tracker_pid=tracker,
        main_pid=main,
    )


@check(
    "forkserver: the child's parent is the fork server (a child of main), not main; it has neither main's change nor the file"
)
def forkserver_parent(lab):
    cp, r = _child(lab, "forkserver")
    main, server = cp.data["main"], cp.data["helpers"].get("forkserver")
    s = cp.get(server) if server else None
    ok = (
        s is not None
        and s.ppid == main
        and "multiprocessing.forkserver" in s.command
        and r["ppid"] == server
        and cp.process(r["pid"]).ppid == server
        and r["colour"] == "red"
        and r["fd_is"] != "the same file"
        and all(i["ppid"] == (main if _preloads(cp) else server) for i in cp.data["imports"])
    )
    return expect(
        ok,
        f"child {r['pid']} has parent {r['ppid']}; fork server: "
        f"{cp.ps_line(server) if server else 'none'}; COLOUR={r['colour']!r}; fd {r['fd']} is "
        f"{r['fd_is']} ({r['fd_points_to']})",
        child_ppid=r["ppid"],
        forkserver_pid=server,
        main_pid=main,
        colour=r["colour"],
        fd_is=r["fd_is"],
    )


def _preloads(cp) -> bool:
    """Does this run's fork server preload __main__? Fixed in 3.14 (and backported to a 3.13
    release, which proclab has no image of): 3.11 re-imports in every child, 3.14 once, in the server."""
    return tuple(int(x) for x in cp.data["python"].split("."))[:2] >= (3, 14)


@check(
    "forkserver: on Python 3.11 every child imports the main module again; on 3.14 the fork server imports it once, for all"
)
def forkserver_reimports(lab):
    cp, r = _child(lab, "forkserver")
    server = cp.data["helpers"].get("forkserver")
    children = sorted(cp.data["timed_pids"] + [r["pid"]])
    lines = cp.data["imports"]
    if _preloads(cp):
        return expect(
            [i["pid"] for i in lines] == [server],
            f"Python {cp.data['python']}: module-level code ran in {[i['pid'] for i in lines]}: the fork "
            f"server {server} preloaded __main__, its {len(children)} children {children} did not",
            children=len(children),
            imports=len(lines),
        )
    ok = sorted(i["pid"] for i in lines) == children and server not in [i["pid"] for i in lines]
    return expect(
        ok,
        f"Python {cp.data['python']}: module-level code ran in {sorted(i['pid'] for i in lines)} "
        f"(the {len(children)} children {children}), not in the fork server {server}. Preloading "
        f"__main__ in the fork server was broken from Python 3.4 until a 2025 fix (CPython gh-126631, "
        f"gh-137996; backported to 3.13), so Python 3.11 children re-import",
        children=len(children),
        imports=len(lines),
    )


@check("start-up cost, measured in the same run: spawn is slower than fork")
def startup_costs(lab):
    med = {
        m: statistics.median(lab.checkpoint(f"{m}-child").data["start_ms"])
        for m in ("fork", "spawn", "forkserver")
    }
    fs = lab.checkpoint("forkserver-child").data["start_ms"]
    later = statistics.median(fs[1:])
    ok = med["spawn"] > med["fork"]
    return expect(
        ok,
        f"start() until the child's target runs, median of {TIMED}: fork {med['fork']:.1f} ms, "
        f"spawn {med['spawn']:.1f} ms ({med['spawn'] / med['fork']:.0f}x fork), forkserver first start "
        f"{fs[0]:.1f} ms (it launches the server), then {later:.1f} ms",
        fork_ms=med["fork"],
        spawn_ms=med["spawn"],
        forkserver_first_ms=fs[0],
        forkserver_ms=round(later, 2),
        spawn_over_fork=round(med["spawn"] / med["fork"], 1),
        samples_ms={
            m: lab.checkpoint(f"{m}-child").data["start_ms"]
            for m in ("fork", "spawn", "forkserver")
        },
    )


@check(
    "without the __main__ guard, the spawn child runs the module again and multiprocessing stops it with RuntimeError"
)
def unguarded(lab):
    d = lab.checkpoint("unguarded").data
    runs = [ln for ln in d["stdout"] if ln.startswith("module-level code runs")]
    ok = (
        len(runs) == 2
        and runs[0].endswith("as __main__")
        and runs[1].endswith("as __mp_main__")
        and d["error"].startswith("RuntimeError")
        and "bootstrapping phase" in d["error"]
        and "p.start()" in d["raised_at"]
        and d["stdout"][-1].endswith("exited with 1")
    )
    return expect(
        ok,
        f"stdout: {d['stdout']}; the child raised at {d['raised_at']!r}: {d['error'][:160]}",
        module_runs=len(runs),
    )


@check("the scenario exits 0")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")


@check(
    "with no method named, the default is this Python's: fork before 3.14, forkserver from 3.14 (the child's parent is the fork server and it misses main's change to COLOUR)",
    zh="不指定方式时用的是这个 Python 的默认值：3.14 之前是 fork，3.14 起是 forkserver（子进程的父进程是 fork server，看不到 main 对 COLOUR 的修改）",
)
def default_method(lab):
    cp = lab.checkpoint("default-child")
    d = cp.data
    version = tuple(int(x) for x in d["python"].split("."))
    want = "forkserver" if version >= (3, 14) else "fork"
    child = cp.process(d["child"])
    if want == "forkserver":
        server = d["helpers"].get("forkserver")
        shape = server is not None and child.ppid == server and d["report"]["colour"] == "red"
    else:
        shape = child.ppid == d["main"] and d["report"]["colour"] == "green"
    return expect(
        d["method"] == want and shape,
        f"Python {d['python']}: default {d['method']} (expected {want}); child {cp.ps_line(child.pid)}; "
        f"main {d['main']}, helpers {d['helpers']}, the child saw COLOUR={d['report']['colour']}",
        python=d["python"],
        default_method=d["method"],
    )
