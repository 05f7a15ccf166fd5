"""The one place Markdown becomes HTML: Markdown → link rewriting → nh3 allow-list → Markup.

Course authors are trusted, but their files travel (officers exchange courses), so the output is
sanitised anyway: raw HTML, scripts, event handlers and `javascript:` URLs never reach a page.
Relative links are rewritten by the caller's resolver, so a lesson can link to its neighbours and
its own images without knowing the site's URL scheme.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

# Bump when the rendering changes, so cached HTML made by an older renderer is not reused.
RENDERER_VERSION = "1"

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
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

LinkResolver = Callable[[str], str | None]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolve: LinkResolver) -> None:
        super().__init__(md)
        self.resolve = resolve

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                resolved = self.resolve(element.get(attribute, ""))
                if resolved is None:
                    del element.attrib[attribute]
                else:
                    element.set(attribute, resolved)


class _LinkExtension(Extension):
    def __init__(self, resolve: LinkResolver) -> None:
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_RewriteLinks(md, self.resolve), "khien_links", 1)


def keep_link(target: str) -> str:
    return target


def render_markdown(text: str, resolve_link: LinkResolver = keep_link) -> Markup:
    """A fresh Markdown instance per call: instances keep state and are not thread-safe."""
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, _LinkExtension(resolve_link)],
        extension_configs={
            "toc": {"permalink": False},
            "footnotes": {"BACKLINK_TEXT": "↩", "BACKLINK_TITLE": ""},
        },
        output_format="html",
    )
    html = md.convert(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        filter_style_properties={"text-align"},
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
