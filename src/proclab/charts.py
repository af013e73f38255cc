"""The lab-author API for charts (public): ``from proclab.charts import Bar, Chart``.

Chart data is part of the lab model (``proclab.lab.chart_data``); drawing it is the
UI's (``proclab.ui.bar_charts``).
"""
from __future__ import annotations

from .lab.chart_data import Bar, Chart

__all__ = ["Bar", "Chart"]
