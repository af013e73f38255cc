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
}


def word(text: str, lang: str = "en") -> str:
    """``text`` in ``lang`` (English is the key itself)."""
    return ZH.get(text, text) if lang == "zh" else text
