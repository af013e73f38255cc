"""The narration's own words in each language (a lab's words come from the lab:
its README.zh.md, title_zh, its checks' zh titles). Evidence is never translated."""
from __future__ import annotations

ZH = {
    "the lesson": "课程",
    "checkpoint": "检查点",
    "variant": "变体",
    "container": "容器",
    "exit code": "退出码",
    "timed out": "超时",
    "as this variant expects": "本变体预期如此",
    "harness": "实验框架",
    "PASSED": "通过",
    "FAILED": "未通过",
    "INCONCLUSIVE": "无定论",
    "inconclusive": "无定论（未能测量）",
    "in": "用时",
    "pid namespace of the container at": "容器的 pid 命名空间，检查点",
    "more processes not shown (--verbose shows them)": "个进程未显示（--verbose 显示全部）",
    "your predictions, and what happened": "你的预测，和实际发生的",
    "question": "问题",
    "you said": "你的回答",
    "observed": "观察到",
    "predict": "先预测",
    "quiz score": "测验得分",
    "picture": "图片",
    "no checks": "（本实验没有检查项：快照见上）",
    # the HTML report (ui/html/page.py)
    "Timeline": "时间线",
    "The tree at each checkpoint": "每个检查点的进程树",
    "Checks": "检查",
    "Charts": "图表",
    "What the harness did": "实验框架做了什么",
    "running": "运行", "sleeping": "睡眠", "disk sleep": "不可中断睡眠", "stopped": "停止", "zombie": "僵尸",
    "re-parented": "换了父进程",
    "born between two checkpoints": "在两个检查点之间诞生",
    "reaped / gone: no longer in the table": "已回收／已消失：不再在进程表里",
    "from the kernel's record, at the exact time:": "内核记录，精确时刻：",
    "fork": "fork（诞生）",
    "exit": "退出",
    "reaped (its parent's wait4)": "被回收（父进程的 wait4）",
    "zombie: exited, not yet reaped": "僵尸：已退出，尚未被回收",
    "lived only between two checkpoints": "只活在两个检查点之间",
    "signals, sender → target:": "信号，发送者 → 目标：",
    "delivered: the target took it": "已投递：目标接收了它",
    "ignored: dropped by the kernel at once": "被忽略：内核当场丢弃",
    "blocked: queued, never taken": "被阻塞：已排队，从未被接收",
    "pending: merged into the same signal": "挂起：并入同一个已挂起的信号",
    "no kernel record": "没有内核记录",
    "the kernel's record": "内核记录",
    "events": "个事件",
    "already there when it began": "记录开始时已存在",
    "none": "无",
    "checks passed": "项检查通过",
    "of": "／",
    "runs": "次运行",
}


def word(text: str, lang: str = "en") -> str:
    """``text`` in ``lang`` (English is the key itself)."""
    return ZH.get(text, text) if lang == "zh" else text
