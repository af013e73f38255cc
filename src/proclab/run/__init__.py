"""Running a lab: the runner, one variant's run, the checkpoint actions, the probe exec.

The only layer that drives containers (through ``proclab.engine``) for a lab.
"""
