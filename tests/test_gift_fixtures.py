"""One GIFT fixture per way the importer used to change meaning silently (issue 13), each with
its exact quiz file and its exact report: links, images, tables and lists, per-answer feedback,
weights, text formats, IDs and tags, and the slips authors make.

The expected files are the converter's output, read and checked by hand; the tests below them
spell out, for each defect, what an author or a learner now sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.quizzes.gift import GiftProblem, GiftResult, Outcome, convert_gift
from training.quizzes.gift_yaml import ImportedQuestion
from training.sources.clauses import load_clauses

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gift"
DEFECTS = ["links", "images", "structure", "feedback", "weights", "formats", "ids", "slips"]
# Written as Moodle's own exporter writes (escaped HTML from its editor, ID numbers, tags).
MOODLE_EXPORT = "moodle-export"


def _convert(name: str) -> GiftResult:
    return convert_gift(
        (FIXTURES / f"{name}.gift").read_text(encoding="utf-8"),
        slug="sample-gift",
        course="sample",
        clause_ids=load_clauses(ROOT / "courses" / "clauses.yml"),
    )


def _question(result: GiftResult, question_id: str) -> ImportedQuestion:
    return next(q for q in result.questions if q.id == question_id)


def _reported(result: GiftResult, outcome: Outcome) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in result.problems if p.outcome == outcome]


@pytest.mark.parametrize("name", [*DEFECTS, MOODLE_EXPORT])
def test_each_defect_fixture_converts_and_reports_exactly(name):
    result = _convert(name)

    assert result.yaml_text == (FIXTURES / "expected" / f"{name}.yml").read_text(encoding="utf-8")
    report = "".join(f"{p.line}: {p.outcome}: {p.message}\n" for p in result.problems)
    assert report == (FIXTURES / "expected" / f"{name}.report").read_text(encoding="utf-8")


def test_a_link_keeps_a_target_that_differs_from_its_text():
    result = _convert("links")

    assert _question(result, "link-target").text == (
        "Is this link safe? https://www.paypal.com/signin (http://paypa1-login.example/verify)"
    )
    assert _question(result, "link-honest").text == (
        "The portal is https://dichvucong.gov.vn and the help desk hotro@so.example.gov.vn. "
        "Both links show where they go."
    )
    assert "(http://vietcombank.com.vn.secure-login.example/)" in (
        _question(result, "link-markdown").text
    )
    assert "(https://drive.example.com/share/x)" in _question(result, "link-moodle").text
    assert result.is_faithful  # the target is kept, so there is nothing to report


def test_an_image_becomes_its_alt_text_or_its_question_waits_for_one():
    result = _convert("images")

    assert _question(result, "image-alt").text == (
        "Who sent this message? From: it-support@agency.example.vn-secure.top"
    )
    assert _reported(result, Outcome.CHANGED) == [
        (
            4,
            "the image '@@PLUGINFILE@@/header.png' is replaced by its alt text "
            "'From: it-support@agency.example.vn-secure.top'",
        ),
        (15, "the decorative image 'thumbs-up.png' (alt=\"\") is left out"),
    ]
    left_out = _reported(result, Outcome.LEFT_OUT)
    assert [line for line, _ in left_out] == [11, 22]
    assert all("may be unanswerable" in message for _, message in left_out)
    assert {q.id for q in result.questions} == {"image-alt", "image-in-feedback"}


def test_tables_lists_and_superscripts_keep_their_separation():
    result = _convert("structure")

    assert _question(result, "table-header").text.splitlines() == [
        "Which line of these headers shows the mail is forged?",
        "From | it-support@agency.example",
        "Reply-To | helpdesk.agency@gmail.com",
    ]
    assert _question(result, "definition-header").text.splitlines()[:2] == [
        "From: it-support@agency.example",
        "Subject: Password expires today",
    ]
    log = _question(result, "superscript-log").text
    assert "94¹⁰ combinations" in log
    assert "Failed login: admin\nFailed login: admin" in log
    assert "1. Disconnect the network cable\n2. Report" in _question(result, "list-order").text
    assert _reported(result, Outcome.CHANGED) == [
        (14, "formatting is not kept, the text is: monospace (<pre>)")
    ]


def test_per_answer_feedback_lands_on_each_choice():
    result = _convert("feedback")

    single = _question(result, "feedback-single")
    assert [c.feedback for c in single.choices] == [
        "Right: confirm through another channel.",
        "Accounts are hijacked; the sender's name proves nothing.",
        "That spreads it further.",
    ]
    assert single.explanation == "Attachments are the usual way malware arrives."
    multiple = _question(result, "feedback-multiple")
    assert multiple.choices[2].feedback == "No: that alone is not suspicious."
    # A true/false question has no choices: the feedback it cannot keep is reported.
    assert _question(result, "feedback-true-false").explanation == (
        "Right: hand it to the IT officer."
    )
    assert [line for line, _ in _reported(result, Outcome.CHANGED)] == [20, 23, 23]


def test_weights_convert_by_the_rule_the_readme_states():
    result = _convert("weights")
    kinds = {q.id: (q.type.value, [c.correct for c in q.choices]) for q in result.questions}

    assert kinds["weight-one-right"] == ("single", [True, False, False])
    assert kinds["weight-unequal"] == ("multiple", [True, True, False])
    assert kinds["weight-equal-exact"] == ("multiple", [True, True, True, False])
    assert kinds["weight-single-zero"] == ("single", [True, False])
    assert "weight-sum" not in kinds
    assert "weight-two-right" not in kinds
    changed = dict(_reported(result, Outcome.CHANGED))
    assert changed[12].startswith("question 'weight-unequal': the weights")
    assert "scores 50 % instead of 70 %" in changed[12]
    assert "penalties are not kept" in changed[37]
    assert "penalties are not kept" in changed[60]
    assert "partial credit is not kept" in changed[68]
    quiet = {"weight-one-right", "weight-equal-zero", "weight-equal-exact", "weight-single-zero"}
    lines = {q.line for q in result.questions if q.id in quiet}
    assert not [line for line, _ in _reported(result, Outcome.CHANGED) if line in lines]


def test_html_entities_and_markdown_are_read_not_shown():
    result = _convert("formats")

    assert _question(result, "format-moodle").text == (
        "Which address is safer to type: HTTPS or HTTP? Tom & Jerry know."
    )
    assert _question(result, "format-markdown").text == (
        "Which of these is not a sign of phishing?"
    )
    assert _question(result, "format-plain").text == "In HTML, what does <b> do?"
    assert _question(result, "format-script").text == "Click nothing.\nReally nothing?"
    changed = dict(_reported(result, Outcome.CHANGED))
    assert changed[4] == "formatting is not kept, the text is: bold (<b>)"
    assert changed[10] == "formatting is not kept, the text is: bold (<strong>)"
    assert "write &lt;it-support@agency.example&gt;" in changed[22]


def test_ids_come_from_moodle_id_numbers_and_tags_become_clauses():
    result = _convert("ids")

    assert [(q.id, q.clauses) for q in result.questions] == [
        ("id-from-comment", ("D3.2",)),
        ("id-from-title", ()),
        ("sample-gift-004", ()),
    ]
    assert (
        GiftProblem(
            10,
            "[id:Bad ID 7] is not kept: a question ID is lower-case letters, digits and hyphens, "
            "e.g. 'bad-id-7'",
            Outcome.CHANGED,
        )
        in result.problems
    )
    notes = _reported(result, Outcome.NOTE)
    assert any(line == 26 and "numbered 'sample-gift-004'" in m for line, m in notes)
    assert any(line == 3 and m.startswith("[tag:phishing] is not kept") for line, m in notes)


def test_authors_slips_are_named_with_their_likely_cause():
    result = _convert("slips")

    assert _question(result, "no-break-space").text == (
        "A question with a line that holds only a no-break space is still one question?"
    )
    left_out = dict(_reported(result, Outcome.LEFT_OUT))
    assert "is a blank line missing between two questions" in left_out[10]
    assert "another one starts on line 11" in left_out[10]
    assert (
        "is the 'a1=b1' on line 15 meant as text? Then write its '=' or '~' as \\="
        in (left_out[14])
    )
    assert "'&#39;' was cut in two" in left_out[27]
    changed = dict(_reported(result, Outcome.CHANGED))
    assert changed[22].startswith("the '=' or '~' in '80~8080' starts a new answer")


def test_a_real_moodle_export_imports_with_every_loss_reported():
    result = _convert(MOODLE_EXPORT)

    link = _question(result, "email-link-01")
    assert "https://mail.kiengiang.gov.vn (http://mail-congvu.vn-verify.top/login)" in link.text
    assert link.clauses == ("D3.1",)
    assert [c.feedback for c in link.choices][1] == "Đích của nút không phải hộp thư công vụ."
    assert _question(result, "email-header-02").text.splitlines()[1:] == [
        "From | it-support@agency.example",
        "Reply-To | helpdesk.agency@gmail.com",
        "Ảnh chụp tiêu đề thư",
    ]
    assert [(line, m.split(":")[0]) for line, m in _reported(result, Outcome.CHANGED)] == [
        (11, "formatting is not kept, the text is"),
        (
            16,
            "the image '@@PLUGINFILE@@/header.png' is replaced by its alt text "
            "'Ảnh chụp tiêu đề thư'",
        ),
        (25, "question 'email-signs-03'"),
        (33, "question 'email-weights-04'"),
        (42, "the feedback for a wrong response 'Sai"),
        (42, "the feedback for a right response 'Đúng.' is not kept"),
    ]
    assert _reported(result, Outcome.LEFT_OUT)[0][0] == 46  # an image with no alt text
    assert not result.is_faithful
