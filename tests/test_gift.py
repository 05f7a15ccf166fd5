"""The GIFT converter: Moodle banks become Khiên quiz files that `content check` accepts, and
every question it cannot convert, and every loss in one it converts, is reported by line.

The fixtures of each defect the converter once had live in test_gift_fixtures.py."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from training.quizzes.files import QuizSource, read_quiz
from training.quizzes.gift import GiftProblem, GiftResult, Outcome, convert_gift
from training.sources.clauses import load_clauses
from training.sources.problems import ContentProblem, Severity
from training.sources.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gift"
SLUG = "sample-gift"
COURSE = "sample"


def _convert(
    text: str, *, lang: str = "vi", pass_mark: int = 80, questions_per_attempt: int | None = None
) -> GiftResult:
    return convert_gift(
        text,
        slug=SLUG,
        course=COURSE,
        lang=lang,
        pass_mark=pass_mark,
        questions_per_attempt=questions_per_attempt,
    )


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _read_back(tmp_path: Path, result: GiftResult) -> QuizSource:
    path = tmp_path / f"{SLUG}.yml"
    path.write_bytes(result.yaml_text.encode("utf-8"))
    clauses = load_clauses(ROOT / "courses" / "clauses.yml")
    return read_quiz(path, clause_ids=clauses, course_slugs={COURSE}, seen_ids={})


def _errors(quiz: QuizSource) -> list[ContentProblem]:
    return [p for p in quiz.problems if p.severity == Severity.ERROR]


def _warnings(quiz: QuizSource) -> list[str]:
    return [p.message for p in quiz.problems if p.severity == Severity.WARNING]


def _report(result: GiftResult) -> str:
    return "".join(f"{p.line}: {p.outcome}: {p.message}\n" for p in result.problems)


def test_gift_fixtures_convert_exactly():
    result = _convert(_fixture("syntax.gift"), lang="vi")

    expected = (FIXTURES / "expected" / "syntax.yml").read_bytes().decode("utf-8")
    assert result.yaml_text == expected
    assert result.converted == 6
    assert _report(result) == _fixture("expected/syntax.report")
    assert result.is_faithful  # notes only: nothing a Moodle learner saw is lost


def test_unsupported_questions_are_reported_with_their_lines(tmp_path):
    result = _convert(_fixture("unsupported.gift"))

    assert [(p.line, p.message) for p in result.problems if p.outcome == Outcome.LEFT_OUT] == [
        (3, "matching questions are not supported"),
        (13, "numerical questions are not supported"),
        (15, "short-answer questions are not supported"),
        (17, "essay questions are not supported"),
        (19, "missing-word questions (text after the answer block) are not supported"),
        (21, "description items (text with no answer block) are not supported"),
        (23, "malformed question: '{' is never closed"),
        (
            29,
            "multiple-choice question has no correct answer: mark the right one with '=', or "
            "give the right ones of a multiple-answer question their share (~%50%)",
        ),
    ]
    assert _report(result) == _fixture("expected/unsupported.report")
    assert result.yaml_text == _fixture("expected/unsupported.yml")
    assert result.converted == 2
    assert not result.is_faithful
    quiz = _read_back(tmp_path, result)
    assert [(q.id, q.type) for q in quiz.questions] == [
        ("good-single", "single"),
        ("good-tf", "true_false"),
    ]
    assert quiz.questions[1].answer is False


@pytest.mark.parametrize("name", ["syntax.gift", "unsupported.gift"])
def test_converted_files_pass_the_quiz_checker_but_for_the_translation(tmp_path, name):
    quiz = _read_back(tmp_path, _convert(_fixture(name)))

    assert _errors(quiz) == []
    warnings = _warnings(quiz)
    assert warnings
    assert all(message.endswith("has no English text") for message in warnings), warnings


def test_the_checker_reads_what_was_converted(tmp_path):
    quiz = _read_back(tmp_path, _convert(_fixture("syntax.gift")))

    assert quiz.course == COURSE
    assert quiz.questions_per_attempt == 2
    assert quiz.partial_credit is True
    escapes = quiz.questions[1]
    assert escapes.texts == {
        "vi": "Trong GIFT, { mở khối đáp án, = đánh dấu đáp án đúng, còn : nằm trong tên câu "
        "hỏi. Ký tự nào mở phần phản hồi?"
    }
    assert [c.texts["vi"] for c in escapes.choices] == [
        "Dấu # (dấu thăng)",
        "Dấu ~ (dấu ngã)",
        'Dấu gạch chéo ngược \\ trong "\\\\may-chu\\tai-lieu"',
    ]
    multiple = quiz.questions[4]
    assert [c.correct for c in multiple.choices] == [True, True, False]


def test_english_source_leaves_vietnamese_empty(tmp_path):
    text = _fixture("syntax.gift")
    english = _convert(text, lang="en")
    vietnamese = _convert(text, lang="vi")

    quiz = _read_back(tmp_path, english)
    assert _errors(quiz) == []
    assert all(m.endswith("has no Vietnamese text") for m in _warnings(quiz))
    for question in quiz.questions:
        assert set(question.texts) == {"en"}
        assert set(question.explanations) == {"en"}
        assert all(set(choice.texts) == {"en"} for choice in question.choices)
    data = load_yaml(english.yaml_text)
    assert data["questions"][0]["text"] == {
        "vi": "",
        "en": load_yaml(vietnamese.yaml_text)["questions"][0]["text"]["vi"],
    }


def test_decomposed_input_is_normalised_to_nfc():
    text = _fixture("syntax.gift")
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text

    result = _convert(decomposed)

    assert unicodedata.is_normalized("NFC", result.yaml_text)
    assert result.yaml_text == _convert(text).yaml_text


def test_windows_line_endings_and_a_byte_order_mark_change_nothing():
    text = _fixture("syntax.gift")

    result = _convert("\ufeff" + text.replace("\n", "\r\n"))

    assert result.yaml_text == _convert(text).yaml_text
    assert "\r" not in result.yaml_text


@pytest.mark.parametrize(
    ("gift", "message"),
    [
        ("::t Q{=a ~b}", "malformed question: the title has no closing '::'"),
        ("Q} {=a ~b}", "malformed question: '}' has no opening '{'"),
        ("Q {=a ~b} then {=c ~d}", "malformed question: more than one answer block"),
        ("{=a ~b}", "malformed question: it has no text before the answer block"),
        (
            "Q {x =a ~b}",
            "malformed answer block: text before the first '=' or '~' (every answer starts "
            "with '=' for the right one or '~' for a wrong one)",
        ),
        ("Q {=a ~#feedback only}", "malformed answer block: an answer has no text"),
        (
            "Q {true}",
            "malformed answer block: expected '=' and '~' answers, or T, TRUE, F or FALSE",
        ),
        (
            "Q {~%-50%a ~%0%b}",
            "multiple-choice question has no correct answer: mark the right one with '=', or "
            "give the right ones of a multiple-answer question their share (~%50%)",
        ),
        (
            "Q {=a =b ~c}",
            "2 answers are fully right ('=' or ~%100%), but a single-choice question has "
            "exactly one; for a question with several right answers, give each right one its "
            "share (~%50% for two) and each wrong one a penalty (~%-50%); if an '=' is part of "
            "an answer's text, write it as \\=",
        ),
        (
            "Q {~%50%a ~%25%b ~c}",
            "the right answers' weights add up to 75 %, not 100 %; Moodle refuses such a "
            "question too",
        ),
        ("Q {=a ~%150%b}", "the weight 150 % of 'b' is outside -100 % to 100 %"),
        ("Q {=a ~%--5%b}", "malformed weight '%--5%': write it as ~%50% or ~%-25%"),
        (
            "Q {=a ~b ~c ~d ~e ~f ~g}",
            "multiple-choice question has 7 answers; a quiz question has 2 to 6",
        ),
        ("Q {~%100%a}", "multiple-choice question has 1 answer; a quiz question has 2 to 6"),
        (
            "[html]Q <img src='x.png'> {T}",
            "the image 'x.png' has no alt text, and a quiz shows no images: describe what it "
            "shows in the text; without it the question may be unanswerable, so it is left out "
            "until the text says what the learner needs",
        ),
        ("[html]<b></b> {T}", "the question has no text once its markup is read"),
    ],
)
def test_malformed_questions_are_reported(gift, message):
    result = _convert(f"// a comment\n\n{gift}\n")

    assert result.problems == [GiftProblem(3, message)]
    assert result.problems[0].outcome == Outcome.LEFT_OUT
    assert result.converted == 0
    assert result.yaml_text.endswith("questions: []\n")


def test_true_false_explains_with_the_right_feedback_else_the_wrong_one():
    result = _convert("A {TRUE#No: it is true.#Yes.}\n\nB {F#No: it is false.}\n")

    data = load_yaml(result.yaml_text)
    first, second = data["questions"]
    assert (first["answer"], first["explanation"]["vi"]) == (True, "Yes.")
    assert (second["answer"], second["explanation"]["vi"]) == (False, "No: it is false.")
    assert (
        GiftProblem(
            1,
            "the feedback for a wrong response 'No: it is true.' is not kept: a true/false "
            "question has one explanation for everyone",
            Outcome.CHANGED,
        )
        in result.problems
    )


def test_every_answers_feedback_lands_on_its_choice():
    result = _convert("Q {~%50%a#Fa. ~%50%b#Fb. ~%-50%c#Fc.####Why.}\n")

    question = load_yaml(result.yaml_text)["questions"][0]
    assert [c["feedback"]["vi"] for c in question["choices"]] == ["Fa.", "Fb.", "Fc."]
    assert question["explanation"] == {"vi": "Why.", "en": ""}
    assert result.is_faithful


def test_without_general_feedback_the_right_answers_feedback_explains():
    result = _convert("Q {=a#Because a. ~b#Not b.}\n")

    question = load_yaml(result.yaml_text)["questions"][0]
    assert question["explanation"]["vi"] == "Because a."
    assert "feedback" not in question["choices"][0]  # moved, not shown twice
    assert question["choices"][1]["feedback"]["vi"] == "Not b."


def test_a_question_without_feedback_is_left_for_the_author_to_explain(tmp_path):
    result = _convert("Q {=a ~b}\n\nR {=c ~d#Why not d.}\n\nS {T}\n\nU {F}\n\nV {=e ~f}\n")

    data = load_yaml(result.yaml_text)
    assert [q["explanation"] for q in data["questions"]] == [{"vi": "", "en": ""}] * 5
    quiz = _read_back(tmp_path, result)
    assert all("'explanation'" in p.message for p in _errors(quiz))


def test_only_weighted_multiple_answers_turn_on_partial_credit():
    assert "partial_credit" not in _convert("Q {=a ~b}\n\nR {T}\n").yaml_text
    assert "partial_credit" not in _convert("Q {~%100%a ~b}\n").yaml_text  # one right: single
    assert "partial_credit: true\n" in _convert("Q {~%50%a ~%50%b ~%-50%c}\n").yaml_text


def test_ids_come_from_titles_or_from_the_position_in_the_file():
    gift = "\n\n".join(
        [
            "::Not an id:: A {=a ~b}",
            "::sample-gift-003:: B {=a ~b}",
            "C {=a ~b}",
            "D {~}",
            "::sample-gift-003:: E {=a ~b}",
            "F {=a ~b}",
        ]
    )

    result = _convert(gift)

    ids = [q["id"] for q in load_yaml(result.yaml_text)["questions"]]
    # F is the sixth question of the file: fixing D or E above it does not renumber it
    assert ids == ["sample-gift-001", "sample-gift-003", "sample-gift-004", "sample-gift-006"]
    assert [p for p in result.problems if p.outcome != Outcome.NOTE] == [
        GiftProblem(7, "malformed answer block: an answer has no text"),
        GiftProblem(
            9, "duplicate question id 'sample-gift-003' (also the ID of the question on line 3)"
        ),
    ]
    assert [p.line for p in result.problems if p.outcome == Outcome.NOTE] == [1, 5, 11]
    assert result.problems[0].message == (
        "no [id:…], and its title 'Not an id' is not an ID: numbered 'sample-gift-001' by its "
        "place in the file; write '// [id:sample-gift-001]' on the line above the question, so "
        "that a revised bank keeps the ID"
    )


def test_questions_per_attempt_defaults_to_a_third_of_the_pool():
    six = "\n\n".join(f"Q{n} {{=a ~b}}" for n in range(6))
    one = "Q {=a ~b}"

    assert "questions_per_attempt: 2\n" in _convert(six).yaml_text
    assert "questions_per_attempt: 1\n" in _convert(one).yaml_text
    assert "questions_per_attempt: 5\n" in _convert(six, questions_per_attempt=5).yaml_text
    assert "pass_mark: 70\n" in _convert(six, pass_mark=70).yaml_text


def test_text_yaml_would_misread_is_escaped():
    question = 'Tab\there, "quotes", a back\\\\slash and a line\u2028separator'

    result = _convert(f"[plain]{question} {{=a ~b}}\n")

    assert load_yaml(result.yaml_text)["questions"][0]["text"]["vi"] == (
        'Tab\there, "quotes", a back\\slash and a line\u2028separator'
    )
    assert "\t" not in result.yaml_text
    assert "\u2028" not in result.yaml_text


def test_html_is_reduced_to_its_text():
    result = _convert(
        "[html]<p>Đoạn <b>một</b></p><p>Đoạn&nbsp;hai</p><script>x()</script>"
        "{=<i>a</i> &lt;b&gt; ~c}\n"
    )

    question = load_yaml(result.yaml_text)["questions"][0]
    assert question["text"]["vi"] == "Đoạn một\nĐoạn hai"
    assert question["choices"][0]["vi"] == "a <b>"


@pytest.mark.parametrize(
    ("slug", "lang", "pass_mark", "per_attempt"),
    [
        ("Bad Slug", "vi", 80, None),
        (SLUG, "fr", 80, None),
        (SLUG, "vi", 0, None),
        (SLUG, "vi", 80, 0),
    ],
)
def test_bad_options_are_refused(slug, lang, pass_mark, per_attempt):
    with pytest.raises(ValueError, match="must"):
        convert_gift(
            "Q {=a ~b}",
            slug=slug,
            course=COURSE,
            lang=lang,
            pass_mark=pass_mark,
            questions_per_attempt=per_attempt,
        )


def test_characters_that_are_not_text_are_replaced_and_reported():
    result = _convert("Q {=a ~b}\n\nR \ud800 {=c ~d}\n")

    assert (
        GiftProblem(
            3, "characters that are not text (U+D800) are replaced by U+FFFD", Outcome.CHANGED
        )
        in result.problems
    )
    assert load_yaml(result.yaml_text)["questions"][1]["text"]["vi"] == "R \ufffd"
