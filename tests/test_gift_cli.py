"""`quizzes import-gift` and `quizzes export-gift` from the command line, as an ICT officer
would run them: every loss on stderr with its line, the exit status saying whether anything was
lost, and bad arguments refused with a sentence, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cp1258
from training.sources.yamlfile import load_yaml

GIFT = Path(__file__).resolve().parent / "fixtures" / "gift"


def _import(app, source: Path, out: Path, *extra: str, course: str = "sample"):
    args = ["quizzes", "import-gift", str(source), "--course", course, "--out", str(out)]
    return app.test_cli_runner().invoke(args=[*args, *extra])


def _export(app, *args: str):
    return app.test_cli_runner().invoke(args=["quizzes", "export-gift", *args])


def test_import_writes_our_format_and_lists_what_it_left_out(app, tmp_path):
    out = tmp_path / "sample-gift.yml"
    result = _import(app, GIFT / "unsupported.gift", out)
    assert result.exit_code == 1  # something was left out: say so in the exit code too
    problems = [line for line in result.output.splitlines() if "unsupported.gift:" in line]
    assert problems, result.output
    assert all(line.split(":")[1].isdigit() for line in problems)  # every one has its line
    assert any(
        line.endswith(": not converted: matching questions are not supported") for line in problems
    )
    assert "2 questions written" in result.output
    assert "listed above: 8 left out, 1 change, 1 note" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('slug: "sample-gift"\n')
    assert 'en: ""' in text  # the other language waits for a translator


def test_import_converts_the_syntax_fixture_exactly(app, tmp_path):
    out = tmp_path / "sample-gift.yml"
    result = _import(app, GIFT / "syntax.gift", out)
    assert result.exit_code == 0, result.output  # notes only: nothing was lost
    assert ": note: no [id:…]" in result.output
    expected = (GIFT / "expected" / "syntax.yml").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == expected


def test_import_exits_1_when_a_converted_question_changed(app, tmp_path):
    result = _import(app, GIFT / "links.gift", tmp_path / "links.yml")
    assert result.exit_code == 0, result.output  # link targets are kept: nothing changed

    result = _import(app, GIFT / "images.gift", tmp_path / "images.yml")
    assert result.exit_code == 1
    assert "images.gift:4: changed: the image '@@PLUGINFILE@@/header.png'" in result.output


def test_import_turns_tags_naming_clauses_into_clauses(app, tmp_path):
    out = tmp_path / "ids.yml"
    _import(app, GIFT / "ids.gift", out)
    assert load_yaml(out.read_text(encoding="utf-8"))["questions"][0]["clauses"] == ["D3.2"]


def test_import_refuses_to_overwrite_without_force(app, tmp_path):
    out = tmp_path / "sample-gift.yml"
    out.write_text("keep me", encoding="utf-8")
    result = _import(app, GIFT / "syntax.gift", out)
    assert result.exit_code != 0
    assert "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _import(app, GIFT / "syntax.gift", out, "--force").exit_code == 0


def test_import_of_a_missing_file_is_a_usage_error(app, tmp_path):
    result = _import(app, tmp_path / "none.gift", tmp_path / "x.yml", course="x")
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "Phishing Bank.yml",
            "'Phishing Bank' must be lower-case letters, digits and hyphens, e.g. 'phishing-bank'",
        ),
        ("phishing.yaml", "'phishing.yaml' must end in .yml"),
        ("no-such-folder/phishing.yml", "does not exist (or is not a folder): create it first"),
    ],
)
def test_import_explains_a_bad_out_path_without_a_traceback(app, tmp_path, out, message):
    result = _import(app, GIFT / "syntax.gift", tmp_path / out)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.y*ml"))


def test_import_explains_a_bad_course_slug(app, tmp_path):
    result = _import(app, GIFT / "syntax.gift", tmp_path / "x.yml", course="Lừa đảo")
    assert result.exit_code == 2
    assert "e.g. 'lua-dao'" in result.output


def test_import_explains_a_file_that_is_not_utf8(app, tmp_path):
    source = tmp_path / "bank.gift"
    source.write_bytes(cp1258("Câu hỏi {=Đúng ~Sai}"))  # as Word on a Vietnamese Windows saves
    result = _import(app, source, tmp_path / "bank.yml")
    assert result.exit_code == 1
    assert "is not UTF-8 text: save it as UTF-8" in result.output
    assert "Traceback" not in result.output


# --- export-gift --------------------------------------------------------------------------------


def test_export_then_import_gives_back_the_bank(app, content, tmp_path):
    bank = content / "quizzes" / "sample.yml"
    bank.write_text(
        bank.read_text(encoding="utf-8").replace(
            "questions_per_attempt: 2\n", "questions_per_attempt: 2\npartial_credit: true\n"
        ),
        encoding="utf-8",
    )
    gift = tmp_path / "sample.gift"

    exported = _export(app, "sample", "--lang", "en", "--out", str(gift))
    assert exported.exit_code == 0, exported.output  # nothing Moodle cannot take
    assert "3 of 3 questions written" in exported.output
    assert "::sa-003::[html]Which channels are ruled out?{" in gift.read_text(encoding="utf-8")

    back = tmp_path / "sample.yml"
    imported = _import(app, gift, back, "--lang", "en")
    assert imported.exit_code == 0, imported.output
    original, again = (load_yaml(p.read_text(encoding="utf-8")) for p in (bank, back))
    for before, after in zip(original["questions"], again["questions"], strict=True):
        assert after["id"] == before["id"]
        assert after["clauses"] == before["clauses"]
        assert after["text"]["en"] == before["text"]["en"]
        assert after["explanation"]["en"] == before["explanation"]["en"]
        assert [(c["en"], c.get("correct", False)) for c in after.get("choices", [])] == [
            (c["en"], c.get("correct", False)) for c in before.get("choices", [])
        ]


def test_export_reports_what_moodle_scores_differently(app, content, tmp_path):
    result = _export(app, "sample", "--out", str(tmp_path / "sample.gift"))
    assert result.exit_code == 1
    assert "sample.yml:1: changed: this quiz scores multiple-answer questions all or nothing" in (
        result.output
    )


def test_export_to_standard_output(app, content):
    result = _export(app, "sample", "--lang", "vi", "--out", "-")
    assert "$CATEGORY: $course$/top/sample" in result.output
    assert "// [id:sa-001] [tag:D3.2]" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["../courses", "--out", "x.gift"], "must be lower-case letters, digits and hyphens"),
        (["nope", "--out", "{tmp}/x.gift"], "no quiz bank 'nope' in"),
        (["sample", "--lang", "fr", "--out", "{tmp}/x.gift"], "'fr' is not one of 'vi', 'en'"),
        (["sample", "--out", "{tmp}/missing/x.gift"], "does not exist (or is not a folder)"),
        (["sample", "--out", "{tmp}"], "is a folder; name a file in it"),
    ],
)
def test_export_explains_bad_arguments_without_a_traceback(app, content, tmp_path, args, message):
    result = _export(app, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code in (1, 2)
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_export_refuses_to_overwrite_without_force(app, content, tmp_path):
    out = tmp_path / "sample.gift"
    out.write_text("keep me", encoding="utf-8")
    result = _export(app, "sample", "--out", str(out))
    assert "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"


def test_export_refuses_a_bank_with_errors(app, content, tmp_path):
    bank = content / "quizzes" / "sample.yml"
    bank.write_text(
        bank.read_text(encoding="utf-8").replace("type: single", "type: singel"), encoding="utf-8"
    )
    result = _export(app, "sample", "--out", str(tmp_path / "sample.gift"))
    assert result.exit_code == 1
    assert "'type' must be one of: single, multiple, true_false" in result.output
    assert "has errors (listed above): fix them" in result.output
    assert not (tmp_path / "sample.gift").exists()


def test_export_can_write_the_provinces_settings_for_moodle(app, content, database, tmp_path):
    from training.clock import utcnow
    from training.extensions import db
    from training.org.province import SettingChange, save_settings

    bank = content / "quizzes" / "sample.yml"
    text = bank.read_text(encoding="utf-8")
    bank.write_text(
        text.replace(
            'vi: "Gửi văn bản cơ quan qua kênh nào?"',
            'vi: "Gửi văn bản của {{province.name}} qua {{province.mail_system}}?"',
        ),
        encoding="utf-8",
    )
    save_settings({"name": SettingChange("tỉnh An Giang")}, actor=None, now=utcnow())
    db.session.commit()
    plain = _export(app, "sample", "--out", "-")
    assert "{{province.name}}" in plain.output
    assert "Moodle shows {{province.mail_system}}, {{province.name}} as written" in plain.output
    filled = _export(app, "sample", "--fill-province", "--out", "-")
    assert "Gửi văn bản của tỉnh An Giang qua Tỉnh chưa công bố đầu mối này" in filled.output
    assert "{{province." not in filled.output
