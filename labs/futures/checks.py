"""What the futures lab proves, each fact with its evidence."""

from proclab.checks import check, expect

WORKERS = 2


def _workers(lab, name):
    cp = lab.checkpoint(name)
    kids = cp.children(cp.data["parent"])
    return cp, kids


@check(
    "Pool(2) mid-map: exactly its 2 workers are children of the scenario, both busy in our task",
    zh="Pool(2) 执行 map 时：实验程序正好有 2 个工作子进程，都在执行我们的任务",
)
def pool_workers(lab):
    cp, kids = _workers(lab, "pool-busy")
    return expect(
        sorted(p.pid for p in kids) == cp.data["workers"] and len(kids) == WORKERS,
        f"children of {cp.data['parent']}: {[str(p) for p in kids]}; busy in square(): {cp.data['workers']}; "
        f"the scenario runs {cp.process(cp.data['parent']).threads} threads (Pool's helper threads)",
    )


@check(
    "ProcessPoolExecutor(2) mid-map: the same picture, 2 worker children of the scenario",
    zh="ProcessPoolExecutor(2) 执行 map 时：同样的情形，实验程序有 2 个工作子进程",
)
def executor_workers(lab):
    cp, kids = _workers(lab, "executor-busy")
    return expect(
        sorted(p.pid for p in kids) == cp.data["workers"] and len(kids) == WORKERS,
        f"children of {cp.data['parent']}: {[str(p) for p in kids]}; busy in square(): {cp.data['workers']}; "
        f"the scenario runs {cp.process(cp.data['parent']).threads} threads (the executor's manager thread)",
    )


@check(
    "Pool.map and ProcessPoolExecutor.map returned the same results, in order",
    zh="Pool.map 和 ProcessPoolExecutor.map 返回相同的结果，顺序也相同",
)
def same_results(lab):
    d = lab.checkpoint("same-results").data
    return expect(
        d["pool"] == d["executor"] == [x * x for x in range(8)],
        f"Pool: {d['pool']}; executor: {d['executor']}",
    )


@check(
    "the worker killed mid-task was the executor's child, running the task, when killed",
    zh="被杀的工作进程在被杀时是 executor 的子进程，正在执行任务",
)
def victim_was_worker(lab):
    cp, kids = _workers(lab, "mid-task")
    victim = cp.get(cp.data["victim"])
    return expect(
        victim is not None and victim.ppid == cp.data["parent"] and victim.state == "S",
        f"victim: {victim}; the scenario's children: {[p.pid for p in kids]}",
    )


@check(
    "SIGKILL on that worker: the future raises BrokenProcessPool, a later submit() too, and no worker is left",
    zh="对该工作进程发 SIGKILL：future 抛出 BrokenProcessPool，之后的 submit() 也是，且没有工作进程剩下",
)
def broken_pool(lab):
    before, kids = _workers(lab, "mid-task")
    after = lab.checkpoint("broken")
    d = after.data
    left = [p.pid for p in kids if after.has(p.key)]
    return expect(
        d["exception"] == "BrokenProcessPool"
        and d["outcome"].startswith("BrokenProcessPool")
        and d["later"].startswith("BrokenProcessPool")
        and not left,
        f"future: {d['outcome']}; later submit: {d['later']}; workers still in the table: {left or 'none'}",
    )


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
