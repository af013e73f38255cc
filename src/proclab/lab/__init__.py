"""The lab model and the lab-author API: no Docker, no terminal.

A lab's spec and settings (``spec``), what a run produced (``result``), the
checks a lab states about it (``checks``), its chart data (``charts``), its
predict questions (``questions``) and the events a run reports (``events``).
Lab authors import ``proclab.checks`` and ``proclab.charts``, which re-export
the public part of ``checks`` and ``charts``.
"""
