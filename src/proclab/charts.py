"""The lab-author API for charts (public): ``from proclab.charts import Bar, Chart``.

Chart data is part of the lab model (``proclab.lab.charts``); drawing it is the
UI's (``proclab.ui.charts``).
"""
from __future__ import annotations

from .lab.charts import Bar, Chart

__all__ = ["Bar", "Chart"]
