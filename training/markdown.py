"""The one place Markdown becomes HTML: Markdown → link rewriting → nh3 allow-list → Markup.

Course authors are trusted, but their files travel (officers exchange courses), so the output is
sanitised anyway: scripts, event handlers and `javascript:` URLs never reach a page. Raw HTML is
not interpreted at all but shown as the text it is: a stray `<style>` in prose would otherwise
swallow the rest of the lesson, and a `<p class="flash">` could pass itself off as the site.
For the same reason a lesson keeps only the classes its extensions make, and every id it makes
carries `ID_PREFIX`, so it can neither borrow the site's look nor shadow one of its ids.
Relative links are rewritten by the caller's resolver, so a lesson can link to its neighbours and
its own images without knowing the site's URL scheme.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

# Bump when the rendering changes, so cached HTML made by an older renderer is not reused.
RENDERER_VERSION = "2"

EXTENSIONS = ["tables", "admonition", "fenced_code", "toc", "def_list", "footnotes", "sane_lists"]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
# Site templates must not use ids starting with this: it is the lessons' own namespace.
ID_PREFIX = "lesson-"
ID_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "sup", "li")  # where toc and footnotes put ids
# The admonition kinds site.css styles ("note" is the plain look).
ADMONITION_KINDS = ("note", "tip", "warning", "danger", "example")
ALLOWED_CLASSES = {
    "div": {"admonition", *ADMONITION_KINDS, "footnote", "toc"},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
    "code": {"language-text"},
}
ALLOWED_ATTRIBUTES = {
    "*": {"title"},
    **{tag: {"id"} for tag in ID_TAGS},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
ABSOLUTE_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")

LinkResolver = Callable[[str], str | None]


class _RewriteLinks(Treeprocessor):
    """Runs after toc and footnotes have made their ids and `#…` links, so it sees them all."""

    def __init__(self, md: markdown.Markdown, resolve: LinkResolver) -> None:
        super().__init__(md)
        self.resolve = resolve

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.get("id"):
                element.set("id", ID_PREFIX + element.get("id", ""))
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                target = element.get(attribute, "")
                if element.tag == "a":
                    target = _prefix_fragment(target)
                resolved = self.resolve(target)
                if resolved is None:
                    del element.attrib[attribute]
                else:
                    element.set(attribute, resolved)


def _prefix_fragment(target: str) -> str:
    """`#anchor` and `02-email.md#anchor` point into a lesson, whose ids all carry the prefix;
    an anchor on another site is left as it is."""
    path, _, fragment = target.partition("#")
    if not fragment or ABSOLUTE_URL.match(target):
        return target
    return f"{path}#{ID_PREFIX}{fragment}"


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """The last word on ids: one that slipped past the prefixing (a fenced block's `{#id}` is
    stashed as HTML the tree never sees) must not reach the page."""
    if attribute == "id" and not value.startswith(ID_PREFIX):
        return None
    return value


class _LessonExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML stays text (escaped on output) instead of being passed through for nh3 to
        # cut: nh3 drops everything after an unclosed <style> or <script>.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_RewriteLinks(md, keep_link), "khien_links", 1)


def keep_link(target: str) -> str:
    return target


_per_thread = threading.local()


def _renderer(resolve_link: LinkResolver) -> markdown.Markdown:
    """This thread's Markdown instance, reset, resolving links with `resolve_link`. Building
    one (seven extensions and their processors) took twice as long as converting a paragraph
    with it, and a GIFT bank or a course converts hundreds of texts; `reset()` clears what a
    conversion leaves behind (footnotes, the table of contents, stashed blocks), and no two
    threads ever share an instance."""
    md: markdown.Markdown | None = getattr(_per_thread, "md", None)
    if md is None:
        md = _per_thread.md = markdown.Markdown(
            extensions=[*EXTENSIONS, _LessonExtension()],
            extension_configs={
                "toc": {"permalink": False},
                "footnotes": {"BACKLINK_TEXT": "↩", "BACKLINK_TITLE": ""},
            },
            output_format="html",
        )
    md.reset()
    links: _RewriteLinks = md.treeprocessors["khien_links"]  # type: ignore[assignment]
    links.resolve = resolve_link
    return md


def render_markdown(text: str, resolve_link: LinkResolver = keep_link) -> Markup:
    html = _renderer(resolve_link).convert(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        filter_style_properties={"text-align"},
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
