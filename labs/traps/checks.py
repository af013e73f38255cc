"""What the traps lab proves: each trap fails, then its fix works (one variant per trap)."""

from proclab.checks import check, expect


def _cp(lab, variant, name):
    return lab.checkpoint(name, variant).data


@check(
    'args=(1) raises TypeError in the parent (no child made); args=("hello") passes 5 arguments: the child exits 1',
    zh='args=(1) 在父进程里抛出 TypeError（没有创建子进程）；args=("hello") 传了 5 个参数：子进程以 1 退出',
)
def args_broken(lab):
    d = _cp(lab, "args-tuple", "broken")
    stderr = lab.run("args-tuple").stderr
    five = "takes 1 positional argument but 5 were given" in stderr
    return expect(
        d["int_error"].startswith("TypeError")
        and d["children"] == 0
        and d["str_exitcode"] == 1
        and five,
        f'args=(1): {d["int_error"]}, children: {d["children"]}; args=("hello"): exitcode '
        f"{d['str_exitcode']}, stderr says 5 arguments: {five}",
    )


@check(
    "args=(1,) is a tuple: the child gets 1 and exits 0",
    zh="args=(1,) 是元组：子进程收到 1，以 0 退出",
)
def args_fixed(lab):
    d = _cp(lab, "args-tuple", "fixed")
    return expect(
        d["exitcode"] == 0 and d["got"] == "1", f"child got {d['got']}, exitcode {d['exitcode']}"
    )


@check(
    "self.name set before super().__init__() is overwritten: parent and child see the default name",
    zh="在 super().__init__() 之前设置的 self.name 被覆盖：父子进程看到的都是默认名字",
)
def name_broken(lab):
    d = _cp(lab, "name-order", "broken")
    return expect(
        d["parent_name"] != d["wanted"]
        and d["child_name"] != d["wanted"]
        and d["parent_name"].startswith("NamedTooEarly-"),
        f"wanted {d['wanted']!r}; p.name={d['parent_name']!r}; in the child: {d['child_name']!r}",
    )


@check(
    "super().__init__(name=...) first: parent and child see the name given",
    zh="先调用 super().__init__(name=...)：父子进程看到的都是给定的名字",
)
def name_fixed(lab):
    d = _cp(lab, "name-order", "fixed")
    return expect(
        d["parent_name"] == d["child_name"] == d["wanted"] and d["exitcode"] == 0,
        f"p.name={d['parent_name']!r}; in the child: {d['child_name']!r}; exitcode {d['exitcode']}",
    )


@check(
    "daemon = True after start() raises AssertionError; the running child stays non-daemonic",
    zh="start() 之后设置 daemon = True 抛出 AssertionError；正在运行的子进程仍不是守护进程",
)
def daemon_broken(lab):
    d = _cp(lab, "daemon-late", "broken")
    return expect(
        d["error"].startswith("AssertionError")
        and d["daemon"] is False
        and d["child_daemon"] is False,
        f"{d['error']}; p.daemon={d['daemon']}; the child's own daemon flag: {d['child_daemon']}",
    )


@check(
    "daemon = True before start(): the child is a daemon, and is ended when its parent ends",
    zh="start() 之前设置 daemon = True：子进程是守护进程，父进程结束时它也被结束",
)
def daemon_fixed(lab):
    running = lab.checkpoint("fixed-running", "daemon-late")
    child = running.get(running.data["child"])
    d = _cp(lab, "daemon-late", "fixed")
    return expect(
        child is not None
        and child.ppid == running.data["parent"]
        and d["child_daemon"] is True
        and d["parent_exitcode"] == 0
        and d["child_alive_after"] is False,
        f"while its parent ran: {child}, daemon={d['child_daemon']}; parent exitcode "
        f"{d['parent_exitcode']}; child alive after: {d['child_alive_after']}",
    )


@check(
    "input() in a child raises EOFError: its stdin is /dev/null though the parent's is a pipe; the child exits 1",
    zh="子进程里的 input() 抛出 EOFError：父进程的 stdin 是管道，子进程的却是 /dev/null；子进程以 1 退出",
)
def input_broken(lab):
    d = _cp(lab, "input-child", "broken")
    return expect(
        d["parent_stdin"].startswith("pipe:")
        and d["child_stdin"] == "/dev/null"
        and d["outcome"].startswith("EOFError")
        and d["exitcode"] == 1,
        f"parent stdin {d['parent_stdin']}, child stdin {d['child_stdin']}; {d['outcome']}; "
        f"exitcode {d['exitcode']}",
    )


@check(
    "the parent reads the input and passes it: the child gets '42' and exits 0",
    zh="由父进程读取输入再传给子进程：子进程收到 '42'，以 0 退出",
)
def input_fixed(lab):
    d = _cp(lab, "input-child", "fixed")
    return expect(
        d["parent_answer"] == "42" and d["outcome"] == "got '42'" and d["exitcode"] == 0,
        f"parent read {d['parent_answer']!r}; child: {d['outcome']}; exitcode {d['exitcode']}",
    )


@check(
    "under spawn a module-level Queue is made again in the child: another pipe, and the parent's stays empty",
    zh="spawn 下模块级的 Queue 会在子进程里重新创建：不同的管道，父进程的队列一直是空的",
)
def queue_broken(lab):
    d = _cp(lab, "queue-spawn", "broken")
    return expect(
        d["method"] == "spawn"
        and d["child_pipe"] != d["parent_pipe"]
        and d["parent_queue_empty"] is True
        and d["exitcode"] == 0,
        f"start method {d['method']}; parent's Queue {d['parent_pipe']}, child's {d['child_pipe']}; "
        f"parent's empty after join: {d['parent_queue_empty']}",
    )


@check(
    "the Queue passed as an argument is the same pipe in the child, and its item arrives",
    zh="作为参数传入的 Queue 在子进程里是同一个管道，放入的数据到达了",
)
def queue_fixed(lab):
    d = _cp(lab, "queue-spawn", "fixed")
    return expect(
        d["child_pipe"] == d["parent_pipe"] and d["got"] == d["child"] and d["exitcode"] == 0,
        f"parent's {d['parent_pipe']}, child's {d['child_pipe']}; got {d['got']} from child {d['child']}",
    )


@check(
    "a callback with two parameters gets one tuple: TypeError kills the result thread, the result never becomes ready",
    zh="有两个参数的回调只收到一个元组：TypeError 杀死了结果线程，结果永远不会就绪",
)
def callback_broken(lab):
    d = _cp(lab, "callback-args", "broken")
    return expect(
        d["error"].startswith("TypeError")
        and "_handle_results" in d["thread"]
        and d["ready"] is False
        and d["result_thread_alive"] is False,
        f"in thread {d['thread']}: {d['error']}; ready()={d['ready']}; terminate(): {d['terminate']}",
    )


@check(
    "a callback taking one argument gets (3, 2) for divmod(17, 5)",
    zh="只接收一个参数的回调收到 divmod(17, 5) 的 (3, 2)",
)
def callback_fixed(lab):
    d = _cp(lab, "callback-args", "fixed")
    return expect(
        d["ready"] and d["value"] == [3, 2] and d["callback_got"] == {"q": 3, "r": 2},
        f"get() -> {d['value']}; the callback unpacked {d['callback_got']}",
    )


@check(
    "every variant's scenario exits 0: each trap was contained",
    zh="每个变体的实验程序都以 0 退出：每个陷阱都被控制住了",
)
def exits_cleanly(lab):
    codes = {r.variant: r.exit_code for r in lab.runs}
    return expect(all(c == 0 for c in codes.values()), f"exit codes: {codes}")
