"""OSTEP-style homework generators, pure (no Docker): process trees from fork/exit actions
(``forktree``) and process states from CPU and I/O (``procrun``). A seed makes an exercise;
``--solve`` reveals it; ``--real`` (in the CLI) runs it on the kernel to compare.
"""
