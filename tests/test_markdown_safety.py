"""Lesson Markdown cannot hide the rest of a lesson or dress itself up as the site (finding S17).

Raw HTML in a lesson is shown as text, a lesson keeps only the classes its Markdown extensions
make, and every id it makes carries the lesson prefix, so it cannot shadow the site's own.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import sign_in
from training.courses.loading import render_lesson
from training.extensions import db
from training.markdown import ID_PREFIX, render_markdown

TEMPLATES = Path(__file__).resolve().parent.parent / "training"


class _Page(HTMLParser):
    """What a reader sees (the text) and what links and anchors the browser knows."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.ids: list[str] = []
        self.fragments: list[str] = []
        self.classes: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        href = attributes.get("href") or ""
        if href.startswith("#"):
            self.fragments.append(href[1:])
        self.classes.update((attributes.get("class") or "").split())

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def _render(body: str) -> _Page:
    return _Page(render_lesson(body))


@pytest.mark.parametrize(
    "opening",
    [
        "A <style> tag mentioned inline.",
        "Never paste <script> into a form.",
        "Formulas: <math><style> is a trick.",
        "<style>",
        "<script>alert(1)",
    ],
)
def test_an_unclosed_style_or_script_keeps_the_rest_of_the_lesson(opening):
    page = _render(f"{opening}\n\nThe next paragraph.\n\n## Sources\n\nThe last line.")
    assert opening in page.visible  # shown as the text the author typed
    assert "The next paragraph." in page.visible
    assert "Sources" in page.visible
    assert "The last line." in page.visible


def test_raw_html_is_text_never_markup():
    html = render_lesson('<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\nEnd')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "End" in _Page(html).visible


def test_a_lesson_cannot_fake_a_site_notice_or_a_site_id():
    page = _render(
        '<p class="flash flash-success">Your password was changed.</p>\n\n'
        '<div id="main">Fake</div>\n\n'
        '!!! flash flash-success "Saved"\n    Also fake.\n\n'
        "```{ .flash #main }\ncode\n```\n\n"
        "## Main\n\nSee [the top](#main)."
    )
    assert not page.classes & {"flash", "flash-success", "button", "panel"}
    assert "main" not in page.ids
    assert all(identifier.startswith(ID_PREFIX) for identifier in page.ids)
    assert page.fragments == [f"{ID_PREFIX}main"]  # the heading's anchor, not the site's <main>
    assert '<p class="flash flash-success">Your password was changed.</p>' in page.visible


def test_the_lesson_page_keeps_the_site_main_and_the_lesson_text(app, content, sync, make_user):
    lesson = content / "courses" / "sample" / "01-intro.en.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace(
            "Read [lesson 2]",
            'A <style> tag mentioned inline.\n\n<p class="flash flash-success" id="main">Done</p>'
            "\n\n## Main\n\nRead [lesson 2]",
        ),
        encoding="utf-8",
    )
    assert sync().exit_code == 0  # raw HTML is a warning: the course loads
    client = app.test_client()
    sign_in(client, make_user(username="hocvien").username)
    client.post("/language/en")

    page = client.get("/courses/sample/lessons/01-intro").get_data(as_text=True)

    shown = _Page(page)
    assert shown.ids.count("main") == 1  # the site's own, for "Skip to content"
    assert f"{ID_PREFIX}main" in shown.ids
    assert "flash-success" not in shown.classes
    assert '<p class="flash flash-success" id="main">Done</p>' in shown.visible  # as text
    assert "A <style> tag mentioned inline." in shown.visible
    assert "Read lesson 2 next, and the diagram:" in shown.visible


def test_admonitions_keep_their_look():
    html = render_lesson(
        '!!! warning "Don\'t"\n    Never send agency documents through Gmail.\n\n'
        "!!! tip\n    Use the official system.\n\n"
        "!!! note\n    n\n\n!!! danger\n    d\n\n!!! example\n    e"
    )
    for kind in ("warning", "tip", "note", "danger", "example"):
        assert f'<div class="admonition {kind}">' in html
    assert '<p class="admonition-title">Don\'t</p>' in html
    assert '<p class="admonition-title">Tip</p>' in html


def test_footnotes_link_both_ways():
    page = _render("The law[^law] and the directive[^2] say so.\n\n[^law]: Law 117.\n[^2]: D3.")
    assert "Law 117." in page.visible
    assert {"footnote-ref", "footnote-backref", "footnote"} <= page.classes
    assert len(page.fragments) == 4  # two references, two ways back
    assert set(page.fragments) <= set(page.ids)  # every link lands on something
    assert all(identifier.startswith(ID_PREFIX) for identifier in page.ids)


def test_heading_anchors_table_of_contents_and_links_to_them():
    page = _render(
        "[TOC]\n\n## Who to call\n\nSee [who to call](#who-to-call).\n\n"
        "## Sources\n\nAnd [lesson 2, sources](02-email.md#sources)."
    )
    assert page.ids == [f"{ID_PREFIX}who-to-call", f"{ID_PREFIX}sources"]
    assert "toc" in page.classes
    assert set(page.fragments) <= set(page.ids)
    assert page.fragments.count(f"{ID_PREFIX}who-to-call") == 2  # the contents and the text
    html = render_lesson("[lesson 2, sources](02-email.md#sources) [out](https://x.org/a#b)")
    assert f'href="02-email#{ID_PREFIX}sources"' in html
    assert 'href="https://x.org/a#b"' in html  # another site's anchor is its own business


def test_fenced_code_keeps_its_text_and_shows_tags_literally():
    html = render_lesson("```text\nFrom: <boss@agency.gov.vn>\n<style>\n```\n\nAfter.")
    assert '<code class="language-text">' in html
    assert "&lt;style&gt;" in html
    assert "After." in html


def test_no_site_template_uses_the_lesson_id_prefix():
    """The prefix is the lessons' namespace: a template id in it could be shadowed again."""
    for template in TEMPLATES.rglob("*.html"):
        for identifier in re.findall(r'\bid="([^"]*)"', template.read_text(encoding="utf-8")):
            assert not identifier.startswith(ID_PREFIX), f"{template}: id {identifier!r}"


# `content check`: an author learns where raw HTML is, and what the reader will see


@pytest.fixture
def check(app, database):
    runner = app.test_cli_runner()

    def invoke():
        result = runner.invoke(args=["content", "check"])
        db.session.expire_all()
        return result

    return invoke


def test_content_check_names_the_file_and_line_of_raw_html(content, check):
    lesson = content / "courses" / "sample" / "01-intro.en.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8")
        + "\nA <style> tag mentioned inline.\n\n<!-- draft -->\n",
        encoding="utf-8",
    )
    result = check()
    assert result.exit_code == 1
    assert (
        "courses/sample/01-intro.en.md:12: warning: raw HTML <style> is shown as text, not as "
        "HTML: write Markdown, or put the tag in `backticks` to show it as code"
    ) in result.output
    assert "courses/sample/01-intro.en.md:14: warning: raw HTML <!-- is shown as text" in (
        result.output
    )


def test_content_check_accepts_tags_in_code_and_autolinks(content, check):
    lesson = content / "courses" / "sample" / "01-intro.en.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8")
        + "\nA `<style>` tag, <https://example.org> and a < b > c.\n\n"
        '```html\n<p class="flash">x</p>\n```\n',
        encoding="utf-8",
    )
    result = check()
    assert result.exit_code == 0, result.output


def test_one_text_leaves_nothing_behind_for_the_next():
    """The renderer is reused text after text: a footnote, a heading's id or a link resolver
    of one text must not show up in the next."""
    with_footnote = render_markdown("Nguồn[^1].\n\n[^1]: Chỉ thị 288/CT-UBND.")
    assert "footnote" in with_footnote
    plain = render_markdown("Không có chú thích.")
    assert "footnote" not in plain
    assert plain == "<p>Không có chú thích.</p>"
    first = render_markdown("## Mật khẩu\n\n## Mật khẩu")
    assert first == render_markdown("## Mật khẩu\n\n## Mật khẩu")  # ids numbered afresh
    resolved = render_markdown("[bài sau](02-email.md)", lambda target: f"/courses/x/{target}")
    assert 'href="/courses/x/02-email.md"' in resolved
    assert 'href="02-email.md"' in render_markdown("[bài sau](02-email.md)")


def test_threads_render_the_same_as_one_thread():
    """Each thread has its own renderer: a threaded server converting several texts at once
    gets each one as it would alone."""
    texts = [
        f"# Bài {n}\n\nĐoạn {n}[^a] có [liên kết](bai-{n}.md).\n\n[^a]: Ghi chú {n}."
        for n in range(40)
    ]
    alone = [render_markdown(text, lambda target: "/" + target) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(
            pool.map(lambda text: render_markdown(text, lambda target: "/" + target), texts * 5)
        )
    assert together == alone * 5
