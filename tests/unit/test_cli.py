"""The CLI's ordinary paths, without Docker: list, show, help, usage errors."""

from tests.support.cli import run_cli as run


def test_list_names_every_lab():
    from proclab.lab import spec as labspec

    code, out, _ = run("list")
    assert code == 0
    for name in labspec.builtin_names():
        assert name in out


def test_show_prints_the_lesson():
    code, out, _ = run("show", "zombies")
    assert (
        code == 0
        and "Predict." in out
        and "variant main" in out
        and "proclab show zombies --full" in out
    )


def test_run_without_a_lab_is_a_usage_error():
    code, _, err = run("run")
    assert code == 2 and "name a lab" in err


def test_unknown_lab_is_one_line_and_lists_labs():
    code, _, err = run("show", "zombiez")
    assert code == 2
    assert err.strip().startswith("Error: no lab named 'zombiez'") and "zombies" in err
    assert "Traceback" not in err


def test_help():
    code, out, _ = run("--help")
    assert code == 0 and "run" in out and "images" in out and "clean" in out
