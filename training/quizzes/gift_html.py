"""HTML read as the plain text a reader saw, for GIFT's `[html]`, `[moodle]` and (once
rendered) `[markdown]` texts, with every loss named.

A quiz page shows escaped plain text, so no imported markup can reach a page; the danger is the
opposite one, that meaning is lost on the way. On a security course a link's target, an image
of a sender's address or the cells of a mail header table are often the whole question, so what
HTML shows is rebuilt as text: a link whose target differs from its text reads `text (target)`,
table cells are separated by ` | `, list items keep their bullets, superscripts stay raised.
What cannot be rebuilt (an image, formatting, a script) is returned as a Loss. Tags are judged
against the lessons' allow-list (`training.markdown.ALLOWED_TAGS`) and the lists below: a tag
outside them is reported, never silently kept or silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from training.markdown import ALLOWED_TAGS

# Whitespace written as a character reference (`&#32;`, `&#9;`) is kept as written instead of
# collapsing like typed whitespace: the exporter writes significant spaces that way, so that a
# text survives export and import unchanged. It travels as a surrogate, which no decoded text
# holds (`sanitise` replaces any), and becomes the character again at the very end.
_KEPT = {ch: chr(0xD800 + ord(ch)) for ch in " \t\n\r\f\xa0"}
_UNKEEP = str.maketrans({kept: ch for ch, kept in _KEPT.items()})
_WHITESPACE_REF = re.compile(
    r"&(?:#0*(32|9|10|13|12|160)(?![0-9])|#[xX]0*(20|9|[aA]|[dD]|[cC]|[aA]0)(?![0-9a-fA-F])"
    r"|(Tab|NewLine)(?=;));?"
)
_REF_CHAR = {"32": " ", "9": "\t", "10": "\n", "13": "\r", "12": "\f", "160": "\xa0"}
_HEX_CHAR = {"20": " ", "9": "\t", "a": "\n", "d": "\r", "c": "\f", "a0": "\xa0"}
_SOFT = "\udbff"  # a block boundary: one line break, however many blocks meet there
_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES_AROUND_BREAKS = re.compile(" *([\n" + _SOFT + "]) *")
_BREAK_RUN = re.compile("[\n" + _SOFT + "]+")

BLOCKS = frozenset(
    {"p", "div", "blockquote", "pre", "hr", "ul", "ol", "li", "dl", "dt", "dd", "table"}
    | {"tr", "caption", "thead", "tbody", "tfoot", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"section", "article", "header", "footer", "main", "nav", "aside", "figure"}
    | {"figcaption", "address", "details", "summary", "center"}
)
# Markup a learner sees as emphasis, size, colour or layout. The text is kept, the look is not,
# and on a question ("which of these is NOT…") emphasis can carry meaning, so it is reported.
FORMATTING = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "cite": "italic",
    "var": "italic",
    "dfn": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike-through",
    "strike": "strike-through",
    "del": "strike-through",
    "mark": "highlight",
    "code": "monospace",
    "kbd": "monospace",
    "samp": "monospace",
    "tt": "monospace",
    "pre": "monospace",
    "big": "font size",
    "small": "font size",
    "font": "font or colour",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "blockquote": "indented quotation",
    "center": "centring",
}
# Read for their text or structure without loss; anything neither here, in BLOCKS nor in
# FORMATTING is reported as an unknown tag.
PLAIN_INLINE = frozenset({"span", "a", "img", "br", "sup", "sub", "abbr", "q", "td", "th"})
PLAIN_INLINE |= {"colgroup", "col", "time", "bdi", "bdo", "wbr", "label", "acronym", "nobr"}
PLAIN_INLINE |= {"html", "body"}
# Never shown by a browser (Moodle strips scripts too), but an unclosed `<script>` hides the
# rest of the text, so dropping one is still reported.
INVISIBLE = frozenset({"script", "style", "template", "noscript", "head", "title", "meta"})
INVISIBLE |= {"link", "base"}
# Shown by a browser but not as text: a question may be unanswerable without them.
MEDIA = frozenset(
    {"iframe", "frame", "video", "audio", "object", "embed", "canvas", "svg", "math"}
    | {"picture", "map", "applet", "input", "select", "textarea", "button", "form"}
)
# Attributes that say nothing a quiz could show, or that are read above (href, src, alt,
# title, style); any other is likely a typo (`hre="…"`) that hid a link's target.
KNOWN_ATTRIBUTES = frozenset(
    {"href", "src", "alt", "title", "style", "class", "id", "dir", "lang", "width", "height"}
    | {"align", "valign", "colspan", "rowspan", "start", "type", "border", "cellpadding"}
    | {"cellspacing", "target", "rel", "name", "color", "face", "size", "bgcolor", "scope"}
    | {"headers", "summary", "reversed", "value", "cite", "datetime", "role", "tabindex"}
    | {"hspace", "vspace", "loading", "decoding", "srcset", "sizes", "xml:lang", "span"}
)
VOID = frozenset({"br", "img", "hr", "wbr", "col", "input", "meta", "link", "base", "embed"})
# Style properties that change only the layout a quiz does not have anyway.
LAYOUT_STYLES = frozenset(
    {"text-align", "direction", "line-height", "font-family", "unicode-bidi", "vertical-align"}
)
LAYOUT_STYLE_PREFIXES = ("margin", "padding", "border", "width", "height", "min-", "max-")

_SUPERSCRIPT = str.maketrans(
    "0123456789+-=()nia" + "bcdefghjklmoprstuvwxyz",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵃ" + "ᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻ",
)
_SUBSCRIPT = str.maketrans("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ")


@dataclass(frozen=True)
class Loss:
    """Something a Moodle learner saw that the converted text does not show as it was.
    `hides_answer`: without it the question may be unanswerable (an image with no alt text,
    a video), so the importer leaves the question out rather than ship it."""

    message: str
    hides_answer: bool = False


@dataclass(frozen=True)
class PlainText:
    text: str
    losses: tuple[Loss, ...] = ()


def html_text(html: str) -> PlainText:
    reader = _HtmlReader()
    reader.feed(_WHITESPACE_REF.sub(_keep_whitespace_ref, html))
    reader.close()
    return PlainText(reader.text(), tuple(reader.losses()))


def _keep_whitespace_ref(match: re.Match[str]) -> str:
    if match.group(1):
        return _KEPT[_REF_CHAR[match.group(1)]]
    if match.group(2):
        return _KEPT[_HEX_CHAR[match.group(2).lower()]]
    return _KEPT["\t" if match.group(3) == "Tab" else "\n"]


@dataclass
class _Capture:
    """Text gathered inside an element whose text is rewritten when it closes (a link, a
    superscript): where it starts in the output, and what the element said about itself."""

    tag: str
    start: int
    attribute: str = ""


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.captures: list[_Capture] = []
        self.hidden: list[str] = []  # open elements whose content is not text
        self.lists: list[list[int]] = []  # per open list: [next number or 0 for bullets]
        self.rows: list[int] = []  # cells seen in each open table row
        self.pre = 0
        self.after_term = False
        self.formatting: dict[str, str] = {}
        self.other: list[Loss] = []

    # --- Elements ------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Kept spaces matter in texts the exporter wrote, which have no attributes; in an
        # attribute (`alt="a&#32;b"`) they are just spaces again.
        attributes = {name: value.translate(_UNKEEP) for name, value in attrs if value is not None}
        if "alt" in (name for name, _ in attrs):
            attributes.setdefault("alt", "")
        if self.hidden:
            if tag not in VOID:
                self.hidden.append(tag)
            return
        self._check_attributes(tag, attributes)
        if tag in INVISIBLE or tag in MEDIA:
            self._skip(tag, attributes)
            return
        if tag in BLOCKS:
            self.parts.append(_SOFT)
        if tag in FORMATTING:
            self.formatting.setdefault(FORMATTING[tag], tag)
        elif tag not in BLOCKS and tag not in PLAIN_INLINE and tag not in ALLOWED_TAGS:
            self._unknown(tag)
        self._open(tag, attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def _open(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            self._image(attributes)
        elif tag in ("a", "abbr", "acronym", "sup", "sub", "q"):
            target = attributes.get("href", "") if tag == "a" else attributes.get("title", "")
            self.captures.append(_Capture(tag, len(self.parts), target.strip()))
        elif tag in ("ul", "ol"):
            start = attributes.get("start", "1")
            self.lists.append([int(start) if tag == "ol" and start.isdigit() else 0])
        elif tag == "li":
            self._list_item()
        elif tag == "tr":
            self.rows.append(0)
        elif tag in ("td", "th"):
            self._cell(attributes)
        elif tag == "dd":
            self._definition()
        elif tag == "pre":
            self.pre += 1
        if tag != "dd":
            self.after_term = tag == "dt"

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag in self.hidden:
                while self.hidden.pop() != tag:
                    pass
            return
        if tag in BLOCKS:
            self.parts.append(_SOFT)
        if tag == "dt":
            self.after_term = True
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "tr" and self.rows:
            self.rows.pop()
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        for index in range(len(self.captures) - 1, -1, -1):
            if self.captures[index].tag == tag:
                while len(self.captures) > index:
                    self._close_capture(self.captures.pop())
                break

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        # A no-break space (`&nbsp;`, which editors scatter) reads as a plain space; only
        # `&#160;` (the exporter's way to write one) stays one.
        data = data.replace("\xa0", " ")
        if self.pre:
            self.parts.append("".join(_KEPT.get(ch, ch) for ch in data))
        else:
            self.parts.append(_ASCII_SPACE.sub(" ", data))

    def close(self) -> None:
        super().close()
        while self.captures:
            self._close_capture(self.captures.pop())

    # --- Structure kept as text ----------------------------------------------------------------

    def _list_item(self) -> None:
        if not self.lists:
            self.parts.append("• ")
            return
        indent = _KEPT[" "] * 2 * (len(self.lists) - 1)
        counter = self.lists[-1]
        if counter[0]:
            self.parts.append(f"{indent}{counter[0]}. ")
            counter[0] += 1
        else:
            self.parts.append(f"{indent}• ")

    def _cell(self, attributes: dict[str, str]) -> None:
        if any(
            attributes.get(span, "1").strip() not in ("", "1") for span in ("colspan", "rowspan")
        ):
            self.other.append(
                Loss("a table cell spans several columns or rows; it is read as one cell")
            )
        if self.rows:
            if self.rows[-1]:
                self.parts.append(" | ")
            self.rows[-1] += 1

    def _definition(self) -> None:
        """A term and its definition on one line, `term: definition`, as a header table would
        read; a second definition of the same term follows after `; `."""
        while self.parts and self.parts[-1] in (_SOFT, " "):
            self.parts.pop()
        previous = "".join(self.parts).rstrip(" ")
        if not previous or previous.endswith("\n"):
            separator = ""
        elif self.after_term:
            separator = " " if previous.endswith(":") else ": "
        else:
            separator = "; "
        self.parts.append(separator)
        self.after_term = False

    def _image(self, attributes: dict[str, str]) -> None:
        source = attributes.get("src", "").strip() or "(no src)"
        alt = attributes.get("alt")
        if alt is None:
            self.other.append(
                Loss(
                    f"the image {source!r} has no alt text, and a quiz shows no images: "
                    "describe what it shows in the text",
                    hides_answer=True,
                )
            )
        elif not alt.strip():
            self.other.append(Loss(f'the decorative image {source!r} (alt="") is left out'))
        else:
            self.parts.append(_ASCII_SPACE.sub(" ", alt.strip()))
            self.other.append(
                Loss(f"the image {source!r} is replaced by its alt text {alt.strip()!r}")
            )

    def _close_capture(self, capture: _Capture) -> None:
        raw = "".join(self.parts[capture.start :])
        inner = self._flat(capture.start)
        if capture.tag in ("sup", "sub"):
            shown = _script(inner, capture.tag)
        elif capture.tag == "q":
            shown = f"“{inner}”"
        elif capture.attribute and not _same_target(inner, capture.attribute):
            shown = f"{inner} ({capture.attribute})" if inner else capture.attribute
        else:
            return
        lead = " " if raw[:1] in (" ", _SOFT) else ""
        trail = " " if raw[-1:] in (" ", _SOFT) and inner else ""
        self.parts[capture.start :] = [lead + shown + trail]

    def _flat(self, start: int) -> str:
        """The text written since `start`, with block boundaries as spaces: a link or a
        superscript is inline, and its text is rewritten as one piece."""
        return "".join(self.parts[start:]).replace(_SOFT, " ").replace("\n", " ").strip()

    # --- What is reported ----------------------------------------------------------------------

    def _skip(self, tag: str, attributes: dict[str, str]) -> None:
        if tag not in VOID:
            self.hidden.append(tag)
        if tag in INVISIBLE:
            self.other.append(
                Loss(f"<{tag}> is dropped with all it holds: a quiz shows no scripts or styles")
            )
            return
        source = attributes.get("src") or attributes.get("data") or ""
        where = f" {source.strip()!r}" if source.strip() else ""
        self.other.append(
            Loss(
                f"<{tag}>{where} cannot be shown in a quiz and is left out: "
                "describe what it shows in the text",
                hides_answer=True,
            )
        )

    def _unknown(self, tag: str) -> None:
        """Office editors leave namespaced tags (`<o:p>`) that never showed anything; any
        other unknown tag is likely text in angle brackets that Moodle swallowed too."""
        if ":" in tag:
            return
        self.other.append(
            Loss(
                f"<{tag}> is not an HTML tag and is dropped, as Moodle's page drops it; "
                f"if it is part of the text, write &lt;{tag}&gt;"
            )
        )

    def _check_attributes(self, tag: str, attributes: dict[str, str]) -> None:
        for name, value in attributes.items():
            if name not in KNOWN_ATTRIBUTES and not name.startswith(("data-", "aria-")):
                shown = f"{name}={value!r}" if value else name
                self.other.append(
                    Loss(f"<{tag}> has an attribute HTML does not know, {shown}: a typo?")
                )
        title = attributes.get("title", "").strip()
        if title and tag not in ("abbr", "acronym"):
            self.other.append(Loss(f"the tooltip {title!r} on <{tag}> is not kept"))
        styles = [s.strip() for s in attributes.get("style", "").split(";") if s.strip()]
        for style in styles:
            name = style.partition(":")[0].strip().lower()
            if name not in LAYOUT_STYLES and not name.startswith(LAYOUT_STYLE_PREFIXES):
                self.formatting.setdefault(f"style {style!r}", tag)
        if tag == "font" and attributes.get("color"):
            self.formatting.setdefault(f"colour {attributes['color']!r}", tag)

    def losses(self) -> list[Loss]:
        found = list(self.other)
        if self.formatting:
            kinds = ", ".join(f"{kind} (<{tag}>)" for kind, tag in self.formatting.items())
            found.insert(0, Loss(f"formatting is not kept, the text is: {kinds}"))
        # A tag's name may hold a kept space (`<a&#32;b>`): never print the marker.
        return [Loss(loss.message.translate(_UNKEEP), loss.hides_answer) for loss in found]

    # --- Assembly ------------------------------------------------------------------------------

    def text(self) -> str:
        """Browser rules, simplified: typed whitespace collapses and vanishes at line ends; a
        `<br>` is a line break each; any number of block boundaries meeting make one."""
        text = "".join(self.parts)
        text = re.sub(" {2,}", " ", text)
        text = _SPACES_AROUND_BREAKS.sub(r"\1", text)
        text = _BREAK_RUN.sub(_breaks, text)
        return text.strip(" \n").translate(_UNKEEP)


def _breaks(match: re.Match[str]) -> str:
    return "\n" * max(1, match.group(0).count("\n"))


def _same_target(text: str, target: str) -> bool:
    """A link that says where it goes needs no second copy of its target; any difference at
    all (a 1 for an l, another host) is exactly what a phishing question is about."""
    text = text.strip()
    return text in (target, target.removeprefix("mailto:")) or (
        target.rstrip("/") == text.rstrip("/")
    )


def _script(text: str, tag: str) -> str:
    """Unicode's superscript and subscript letters where every character has one (x², H₂O),
    else a visible `^(…)` or `_(…)`: a footnote mark or an exponent must not run into the
    text before it (10<sup>3</sup> is not 103)."""
    table = _SUPERSCRIPT if tag == "sup" else _SUBSCRIPT
    if not text:
        return ""
    if all(ord(ch) in table for ch in text):
        return text.translate(table)
    return f"{'^' if tag == 'sup' else '_'}({text})"
