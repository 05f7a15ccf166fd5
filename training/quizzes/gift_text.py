"""GIFT texts in their four formats, made into the plain text a quiz shows, with every loss named.

Moodle reads a text by its `[format]`: `[moodle]` (the default) and `[html]` are HTML, shown
through a browser; `[markdown]` is Markdown; `[plain]` is shown exactly as written. Each is
turned here into what a learner saw: `[markdown]` goes through the lessons' own renderer
(`training.markdown`: Markdown, then the nh3 allow-list) so it means here what it means in a
lesson, and is then read like HTML (gift_html). The `Loss`es returned are what the importer
reports with the text's line.
"""

from __future__ import annotations

import re

from training.markdown import render_markdown
from training.quizzes.gift_html import Loss, PlainText, html_text

TEXT_FORMATS = ("html", "markdown", "plain", "moodle")

_SOURCE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_RAW_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# The line break an author asks for with GIFT's `\n`, as the GIFT reader hands it over: source
# line breaks are only where the author wrapped a long line, and mean a space outside Markdown.
AUTHOR_BREAK = chr(0xDC00 + ord("n"))


def sanitise(text: str) -> tuple[str, list[str]]:
    """Lone surrogates cannot be stored or shown, and the converters use them as markers, so
    any that arrive (never from a decoded file, but a caller may pass any str) become U+FFFD."""
    found = sorted({f"U+{ord(ch):04X}" for ch in text if 0xD800 <= ord(ch) <= 0xDFFF})
    if not found:
        return text, []
    clean = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return clean, found


def to_plain_text(text: str, fmt: str) -> PlainText:
    """`text` has its GIFT escapes restored but for `\\n`, which arrives as AUTHOR_BREAK and is
    written as each format's own line break."""
    if fmt == "plain":
        joined = _SOURCE_BREAK.sub(" ", text)
        return PlainText(joined.replace(AUTHOR_BREAK, "\n").strip())
    if fmt == "markdown":
        return _markdown_text(text.replace(AUTHOR_BREAK, "  \n"))
    return html_text(text.replace(AUTHOR_BREAK, "<br>"))


def _markdown_text(text: str) -> PlainText:
    losses = []
    raw = _RAW_TAG.search(text)
    if raw:
        losses.append(
            Loss(
                f"HTML in [markdown] text is shown as written, not as markup: {raw.group(0)!r} "
                "(write the text as [html], or in Markdown only)"
            )
        )
    converted = html_text(str(render_markdown(text)))
    return PlainText(converted.text, (*losses, *converted.losses))
