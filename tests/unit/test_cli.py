"""The CLI's ordinary paths, without Docker: list, show, help, usage errors."""

from tests.clitools import run_cli as run


def test_list_names_every_lab(capsys):
    from proclab.lab import spec as labspec

    code, out, _ = run(capsys, "list")
    assert code == 0
    for name in labspec.builtin_names():
        assert name in out


def test_show_prints_the_lesson(capsys):
    code, out, _ = run(capsys, "show", "zombies")
    assert code == 0 and "Predict." in out and "variant main" in out and "proclab show zombies --full" in out


def test_run_without_a_lab_is_a_usage_error(capsys):
    code, _, err = run(capsys, "run")
    assert code == 2 and "name a lab" in err


def test_unknown_lab_is_one_line_and_lists_labs(capsys):
    code, _, err = run(capsys, "show", "zombiez")
    assert code == 2
    assert err.strip().startswith("Error: no lab named 'zombiez'") and "zombies" in err
    assert "Traceback" not in err


def test_help(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "run" in out and "images" in out and "clean" in out
