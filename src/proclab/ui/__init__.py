"""Presentation: rich narration, trees, tables, charts (terminal bars and PNG), the
predictions table and the Gantt chart. Reads the lab model; never imports Docker.
"""
