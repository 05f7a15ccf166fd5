"""`content check`: the shipped content is clean, and a broken file is reported by file and
line, as an author would need to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from training.extensions import db


@pytest.fixture
def run(app, database):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return invoke


def _shipped() -> tuple[int, int, int]:
    """Courses, quizzes and questions of the repository's content, counted from the files."""
    root = Path(__file__).resolve().parent.parent
    courses = len(list((root / "courses").glob("*/course.yml")))
    banks = list((root / "quizzes").glob("*.yml"))
    questions = sum(
        len(yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"]) for bank in banks
    )
    return courses, len(banks), questions


def _problems(result) -> list[str]:
    return [line for line in result.output.splitlines() if ".yml:" in line or ".md:" in line]


def test_every_shipped_course_and_quiz_passes_the_check(run):
    result = run("content", "check")
    assert _problems(result) == []
    assert result.exit_code == 0, result.output
    courses, quizzes, questions = _shipped()
    assert f"{courses} courses, {quizzes} quizzes, {questions} questions" in result.output
    assert courses == quizzes >= 10


def test_every_required_clause_is_taught_and_tested(run):
    result = run("content", "trace")
    assert result.exit_code == 0, result.output
    assert "| D3.4 | yes |" in result.output
    assert "MISSING" not in result.output


def test_the_sample_fixture_is_clean(run, content):
    result = run("content", "check")
    assert result.exit_code == 0, result.output


def test_broken_course_is_reported_with_file_and_line(run, content):
    course = content / "courses" / "sample"
    yml = (course / "course.yml").read_text(encoding="utf-8")
    (course / "course.yml").write_text(
        yml.replace("clauses: [D3.1, D3.2]", "clauses: [D3.1, D9.9]").replace(
            "minutes: 10", "minutes: mười"
        ),
        encoding="utf-8",
    )
    lesson = course / "01-intro.vi.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("02-email.md", "03-gone.md"), encoding="utf-8"
    )
    (course / "02-email.en.md").unlink()

    result = run("content", "check")

    assert result.exit_code == 1
    assert _problems(result) == [
        "courses/sample/01-intro.vi.md:8: broken link '03-gone.md': no lesson '03-gone' in "
        "this course",
        "courses/sample/02-email.vi.md:1: warning: no English version: 02-email.en.md is missing",
        "courses/sample/course.yml:8: 'minutes' must be a whole number between 1 and 6000",
        "courses/sample/course.yml:10: unknown clause ID 'D9.9'",
    ]


def test_broken_front_matter_and_unknown_quiz(run, content):
    course = content / "courses" / "sample"
    (course / "02-email.en.md").write_text(
        '---\ntitle: "No Gmail"\nclause: [D3.2]\n---\n\nText\n', encoding="utf-8"
    )
    yml = (course / "course.yml").read_text(encoding="utf-8")
    (course / "course.yml").write_text(
        yml.replace("quiz: sample", "quiz: nowhere"), encoding="utf-8"
    )
    result = run("content", "check")
    problems = _problems(result)
    assert "courses/sample/02-email.en.md:3: unknown key 'clause'" in problems
    assert (
        "courses/sample/02-email.en.md:2: missing 'clauses' (the directive clauses it "
        "teaches)" in problems
    )
    assert (
        "courses/sample/course.yml:9: unknown quiz 'nowhere': there is no quizzes/nowhere.yml"
    ) in problems


def test_missing_image_and_outside_links_are_reported(run, content):
    lesson = content / "courses" / "sample" / "01-intro.en.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(
        text.replace("images/diagram.png", "images/nothing.png")
        + "\n[secret](../../instance/secret_key)\n",
        encoding="utf-8",
    )
    problems = _problems(run("content", "check"))
    assert "courses/sample/01-intro.en.md:10: missing image 'images/nothing.png'" in problems
    assert any(
        p.startswith("courses/sample/01-intro.en.md:12: link '../../instance/secret_key'")
        for p in problems
    )


def test_yaml_syntax_error_names_the_line(run, content):
    (content / "quizzes" / "sample.yml").write_text(
        "slug: sample\ncourse: [sample\n", encoding="utf-8"
    )
    problems = _problems(run("content", "check"))
    assert any(p.startswith("quizzes/sample.yml:3: YAML syntax") for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '        correct: true\n      - vi: "Gmail"',
            '        correct: true\n      - vi: "Gmail"\n        correct: true',
            "quizzes/sample.yml:12: a single-answer question needs exactly one correct choice, "
            "not 2",
        ),
        (
            "questions_per_attempt: 2",
            "questions_per_attempt: 5",
            "quizzes/sample.yml:4: the pool holds 3 questions, fewer than the 5 drawn per attempt",
        ),
        (
            "  - id: sa-002",
            "  - id: sa-001",
            "quizzes/sample.yml:21: duplicate question id 'sa-001' (also in this file)",
        ),
        (
            "    answer: true",
            "    answer: maybe",
            "quizzes/sample.yml:27: 'answer' must be true or false",
        ),
        (
            '    clauses: [D3.1]\n    text:\n      vi: "Văn bản',
            '    clauses: [D10]\n    text:\n      vi: "Văn bản',
            "quizzes/sample.yml:23: unknown clause ID 'D10'",
        ),
        (
            '      en: "Which channel carries agency documents?"\n',
            "",
            "quizzes/sample.yml:9: warning: 'text' has no English text",
        ),
    ],
)
def test_broken_quiz_is_reported_with_line(run, content, old, new, expected):
    path = content / "quizzes" / "sample.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("content", "check")
    assert expected in _problems(result)
    assert result.exit_code == 1


def test_admins_see_the_check_and_the_coverage_on_a_page(app, run, make_user, make_unit):
    from tests.helpers import sign_in
    from training.org.models import Role

    admin = make_user(role=Role.ICT_ADMIN, username="quantri")
    client = app.test_client()
    sign_in(client, admin.username)
    page = client.get("/content/").get_data(as_text=True)
    courses, quizzes, questions = _shipped()
    assert f"{courses} khoá học, {quizzes} bài kiểm tra, {questions} câu hỏi" in page
    assert "Không có lỗi" in page
    assert "D3.4" in page
    officer = make_user(role=Role.UNIT_OFFICER, username="cntt.a")
    other = app.test_client()
    sign_in(other, officer.username)
    assert other.get("/content/").status_code == 403
