"""GIFT texts in HTML, Markdown or plain text become what a quiz shows: the plain text a reader
saw, with every loss named (gift_text)."""

from __future__ import annotations

import pytest

from training.quizzes.gift_html import html_text
from training.quizzes.gift_text import AUTHOR_BREAK, to_plain_text


def _messages(html: str) -> list[str]:
    return [loss.message for loss in html_text(html).losses]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("a<br>b<br><br>c", "a\nb\n\nc"),
        ("  spaced \n  out  ", "spaced out"),
        ("a &#32;b&#9;c", "a  b\tc"),  # how the exporter writes whitespace HTML would collapse
        ("100&nbsp;% and 100&#160;%", "100 % and 100\xa0%"),
        ("<ul><li>one</li><li>two<ol start='3'><li>x</li></ol></li></ul>", "• one\n• two\n  3. x"),
        ("CO<sub>2</sub>, 2<sup>n+1</sup>, note<sup>[1]</sup>", "CO₂, 2ⁿ⁺¹, note^([1])"),
        ("She said <q>click</q>.", "She said “click”."),
        ("<abbr title='Two-factor authentication'>2FA</abbr>", "2FA (Two-factor authentication)"),
        ("see <a href='https://a.example/x'> here </a>now", "see here (https://a.example/x) now"),
        ("<a href='https://a.example/'>https://a.example</a>", "https://a.example"),
        ("<o:p></o:p>Word<o:p></o:p>", "Word"),
        ("<p style='text-align: left; margin: 0'>aligned</p>", "aligned"),
        ("AT&T &lt;tag&gt; &amp;amp;", "AT&T <tag> &amp;"),
    ],
)
def test_html_reads_as_a_reader_saw_it(html, text):
    assert html_text(html).text == text


def test_whatever_cannot_be_shown_is_named():
    assert _messages("<video src='v.mp4'>fallback</video>") == [
        "<video> 'v.mp4' cannot be shown in a quiz and is left out: describe what it shows in "
        "the text"
    ]
    assert html_text("<iframe src='x'></iframe>").losses[0].hides_answer
    assert _messages("<span title='hint'>x</span>") == ["the tooltip 'hint' on <span> is not kept"]
    assert _messages("<s>not</s> <u>this</u>") == [
        "formatting is not kept, the text is: strike-through (<s>), underline (<u>)"
    ]
    assert _messages("<td colspan='2'>x</td>") == [
        "a table cell spans several columns or rows; it is read as one cell"
    ]


def test_scripts_and_styles_never_reach_the_text_and_are_named():
    converted = html_text("a<script>alert('x')</script><style>p{}</style>b")

    assert converted.text == "ab"
    assert [loss.message for loss in converted.losses] == [
        "<script> is dropped with all it holds: a quiz shows no scripts or styles",
        "<style> is dropped with all it holds: a quiz shows no scripts or styles",
    ]


def test_markdown_goes_through_the_lessons_renderer():
    converted = to_plain_text("A [link](https://x.example) and <b>raw</b>", "markdown")

    assert converted.text == "A link (https://x.example) and <b>raw</b>"
    assert converted.losses[0].message == (
        "HTML in [markdown] text is shown as written, not as markup: '<b>' (write the text as "
        "[html], or in Markdown only)"
    )


def test_an_authors_line_break_is_kept_in_every_format():
    for fmt in ("plain", "moodle", "html", "markdown"):
        assert to_plain_text(f"one{AUTHOR_BREAK}two", fmt).text == "one\ntwo", fmt


def test_plain_text_shows_markup_as_written():
    converted = to_plain_text("<b>bold</b> &amp;\nwrapped", "plain")

    assert converted.text == "<b>bold</b> &amp; wrapped"
    assert converted.losses == ()
