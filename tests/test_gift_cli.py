"""`quizzes import-gift` from the command line, as an ICT officer would run it."""

from __future__ import annotations

from pathlib import Path

GIFT = Path(__file__).resolve().parent / "fixtures" / "gift"


def _import(app, source: Path, out: Path):
    return app.test_cli_runner().invoke(
        args=["quizzes", "import-gift", str(source), "--course", "sample", "--out", str(out)]
    )


def test_import_writes_our_format_and_lists_what_it_left_out(app, tmp_path):
    out = tmp_path / "sample-gift.yml"
    result = _import(app, GIFT / "unsupported.gift", out)
    assert result.exit_code == 1  # something was left out: say so in the exit code too
    problems = [line for line in result.output.splitlines() if "unsupported.gift:" in line]
    assert problems, result.output
    assert all(line.split(":")[1].isdigit() for line in problems)  # every one has its line
    assert "2 questions written" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('slug: "sample-gift"\n')
    assert 'en: ""' in text  # the other language waits for a translator


def test_import_converts_the_syntax_fixture_exactly(app, tmp_path):
    out = tmp_path / "sample-gift.yml"
    result = _import(app, GIFT / "syntax.gift", out)
    assert result.exit_code == 0, result.output
    expected = (GIFT / "expected" / "syntax.yml").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == expected


def test_import_refuses_to_overwrite_without_force(app, tmp_path):
    out = tmp_path / "sample-gift.yml"
    out.write_text("keep me", encoding="utf-8")
    result = _import(app, GIFT / "syntax.gift", out)
    assert result.exit_code != 0
    assert "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"


def test_import_of_a_missing_file_is_a_usage_error(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=[
            "quizzes",
            "import-gift",
            str(tmp_path / "none.gift"),
            "--course",
            "x",
            "--out",
            str(tmp_path / "x.yml"),
        ]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output
