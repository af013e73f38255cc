"""Exploration hosts (``hosts``: containers with sshd and a student account) and the
Ansible playbooks run against them (``playbooks``, through ansible-runner)."""
