"""Every helper the tests share, one module per concern: verdicts (explain, assert_passed),
results (a result read the way --json shows it), tinylab (a lab folder of a test's own and
its containers), harness (proclab as a subprocess a test can signal), cli (the CLI in-process),
course, lessons, browser, render, leaks. conftest.py files hold only fixtures and hooks."""
