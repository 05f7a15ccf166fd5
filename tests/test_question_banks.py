"""Banks that only readers pass, and one term per concept.

A learner who never opens a course and answers by the look of the options (the longest, the
most careful-sounding, always "false", a fixed place in a printed bank) must fail its quiz:
the simulation plays each strategy against every shipped bank, drawing and grading attempts as
the site does."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.content.catalog import read_catalog
from training.quizzes.cues import (
    CUE_CEILING,
    STRATEGIES,
    longest,
    pass_rate,
    shape_warnings,
    simulate,
)
from training.quizzes.files import ChoiceSource, QuestionSource, QuizSource
from training.quizzes.models import QuestionType
from training.sources.terms import load_terms, term_warnings

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = read_catalog(ROOT / "courses", ROOT / "quizzes").quizzes


@pytest.mark.parametrize("quiz", SHIPPED, ids=[q.slug for q in SHIPPED])
def test_no_surface_cue_passes_a_shipped_bank(quiz):
    rates = simulate(quiz, attempts=3000)
    leaks = {name: f"{rate:.1%}" for name, rate in rates.items() if rate > CUE_CEILING}
    assert not leaks, f"{quiz.slug}: a non-reader passes by {leaks}"


@pytest.mark.parametrize("quiz", SHIPPED, ids=[q.slug for q in SHIPPED])
def test_no_shipped_bank_shows_a_pattern(quiz):
    assert shape_warnings(quiz) == []


def _single(number: int, key_text: str, other: str = "Không") -> QuestionSource:
    """The key sits at a different place in the file for each number."""
    choices = [ChoiceSource({"vi": other}, False) for _ in range(3)]
    choices.insert(number % 4, ChoiceSource({"vi": key_text}, True))
    return QuestionSource(f"x-{number}", QuestionType.SINGLE, [], {"vi": "?"}, choices, None, {}, 1)


def _true_false(number: int, answer: bool) -> QuestionSource:
    return QuestionSource(
        f"t-{number}", QuestionType.TRUE_FALSE, [], {"vi": "?"}, [], answer, {}, 1
    )


def _multiple(number: int, right: int) -> QuestionSource:
    choices = [ChoiceSource({"vi": f"Lựa chọn {i}"}, i < right) for i in range(5)]
    return QuestionSource(
        f"m-{number}", QuestionType.MULTIPLE, [], {"vi": "?"}, choices, None, {}, 1
    )


def _bank(questions: list[QuestionSource]) -> QuizSource:
    return QuizSource("leaky", Path("leaky.yml"), questions_per_attempt=8, questions=questions)


def test_the_simulation_catches_a_bank_whose_key_is_the_longest_option():
    leaky = _bank(
        [_single(i, "Báo ngay cho cán bộ phụ trách và giữ nguyên hiện trạng") for i in range(20)]
    )
    assert pass_rate(leaky, longest) == 1.0
    sound = _bank(
        [
            _single(i, "Có", other="Không, chỉ khi được lãnh đạo đồng ý bằng văn bản")
            for i in range(20)
        ]
    )
    assert max(simulate(sound).values()) <= CUE_CEILING
    assert len(STRATEGIES) >= 3


def test_content_check_names_each_pattern_of_a_leaky_bank():
    bank = _bank(
        [_single(i, "Một đáp án dài hơn mọi lựa chọn khác") for i in range(6)]
        + [_true_false(i, False) for i in range(5)]
        + [_multiple(i, 3) for i in range(4)]
    )
    warnings = shape_warnings(bank)
    assert any("longest in 6 of 6" in w for w in warnings)
    assert any("0 of 5 true/false answers are true" in w for w in warnings)
    assert any("exactly 3 right answers" in w for w in warnings)
    mixed = _bank(
        [_single(i, "Có") for i in range(6)]
        + [_true_false(i, i % 2 == 0) for i in range(6)]
        + [_multiple(i, 1 + i % 4) for i in range(4)]
    )
    assert shape_warnings(mixed) == []


def test_terms_flag_variants_but_not_quotes_definitions_or_other_languages():
    terms, problems = load_terms(ROOT / "courses" / "terms.yml")
    assert problems == []
    text = (
        "Dùng phần mềm diệt virus.\n"
        "Chỉ thị yêu cầu dùng “hệ thống thư điện tử chính thức”.\n"
        "Tránh mã độc (phần mềm độc hại) trong tệp.\n"
        "Luật có hiệu lực từ 1/7/2026, hết hiệu lực ngày 01/03/2026.\n"
    )
    found = list(term_warnings(text, "vi", terms))
    assert [line for line, _ in found] == [0, 3]
    assert "phần mềm phòng, chống mã độc" in found[0][1]
    assert "01/07/2026" in found[1][1]
    assert list(term_warnings("Ms Lan asks anh Minh.", "en", terms))
    assert not list(term_warnings("Dùng phần mềm diệt virus.", "en", terms))


def test_every_variant_is_found_in_a_long_line_whatever_its_case():
    """The check first rules out lines with one search for all variants; that search must
    never rule out a line that holds one, however it is written."""
    terms, _ = load_terms(ROOT / "courses" / "terms.yml")
    filler = {
        "vi": "Cán bộ đọc kỹ văn bản trước khi gửi đi. " * 12,
        "en": "Staff read each document before sending it. " * 12,
    }
    checked = 0
    for term in terms:
        for variant in term.written:
            for written in (variant, variant.upper(), variant.capitalize()):
                line = f"{filler[term.lang]}{written} {filler[term.lang]}"
                found = [message for _, message in term_warnings(line, term.lang, terms)]
                assert any(repr(term.preferred) in message for message in found), written
                checked += 1
    assert checked >= 3 * len(terms)


def test_the_cues_command_fails_a_bank_a_non_reader_passes(app, content):
    import yaml

    questions = [
        {
            "id": f"sa-{i:03d}",
            "type": "single",
            "clauses": ["D3.2"],
            "text": {"vi": f"Câu {i}?", "en": f"Question {i}?"},
            "choices": [
                {"vi": "Báo ngay cho cán bộ phụ trách", "en": "Report at once", "correct": True},
                {"vi": "Bỏ qua", "en": "Ignore"},
                {"vi": "Xóa", "en": "Delete"},
            ],
            "explanation": {"vi": "Vì vậy.", "en": "Because."},
        }
        for i in range(1, 11)
    ]
    bank = {"slug": "sample", "course": "sample", "questions_per_attempt": 5}
    (content / "quizzes" / "sample.yml").write_text(
        yaml.safe_dump({**bank, "questions": questions}, allow_unicode=True), encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(args=["content", "cues", "sample"])
    assert result.exit_code == 1
    assert "longest            100.0%  <- above 2 %" in result.output
    assert "the keyed option is the longest in 10 of 10" in result.output
