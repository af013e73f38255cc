"""What fork-basics proves."""

from proclab.checks import check, expect


@check("os.fork() returns 0 in the child and the child's pid in the parent")
def fork_returns_twice(lab):
    child, parent = lab.checkpoint("fork-child"), lab.checkpoint("fork-parent")
    return expect(
        child.data["fork_returned"] == 0 and parent.data["fork_returned"] == child.data["me"],
        f"child saw {child.data['fork_returned']}, parent saw {parent.data['fork_returned']}, "
        f"child's pid is {child.data['me']}",
    )


@check("the child's ppid is the parent's pid (psutil and ps)")
def child_ppid(lab):
    cp = lab.checkpoint("child-changed-n")
    child = cp.process(cp.data["child"])
    row = cp.ps_row(child.pid)
    parent = lab.checkpoint("parent-after-start").data["parent"]
    return expect(
        child.ppid == parent and row is not None and row.ppid == parent,
        f"parent pid {parent}; psutil: {child}; ps: {cp.ps_line(child.pid)}",
    )


@check(
    "start() returns at once: when the parent reaches its next checkpoint the child exists, is its child, "
    "and has not done its work (it waits for the parent's word)"
)
def start_is_asynchronous(lab):
    run = lab.run()
    order = [cp.name for cp in run.checkpoints]
    first = lab.checkpoint("parent-after-start")
    child = first.get(first.data["child"])
    said = [o.text for o in run.output]
    parent_line = next(i for i, t in enumerate(said) if "start() returned" in t)
    child_line = next((i for i, t in enumerate(said) if "child: my parent" in t), len(said))
    return expect(
        order.index("parent-after-start") < order.index("child-changed-n")
        and child is not None
        and child.ppid == first.data["parent"]
        and child.state != "Z"
        and not first.data["child_done"]
        and parent_line < child_line,
        f"checkpoint order {order}; at parent-after-start the child {child} exists and has not "
        f"done its work (child_done={first.data['child_done']})",
    )


@check("the seed's n = 100: the child sets n = 0, the parent still has 100")
def memory_is_copied(lab):
    child, parent = lab.checkpoint("child-changed-n"), lab.checkpoint("parent-after-join")
    return expect(
        child.data["n"] == 0 and parent.data["n"] == 100,
        f"child's n = {child.data['n']}, parent's n after join = {parent.data['n']}",
        child_n=child.data["n"],
        parent_n=parent.data["n"],
    )


@check("the child exits 0 and is reaped by join()")
def joined(lab):
    cp = lab.checkpoint("parent-after-join")
    return expect(
        cp.data["exitcode"] == 0 and cp.get(cp.data["child"]) is None,
        f"exitcode {cp.data['exitcode']}; child pid {cp.data['child']} in table: "
        f"{cp.get(cp.data['child']) is not None}",
    )
