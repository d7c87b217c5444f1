"""HTML text: what a reader of the page sees, in reading order.

Scripts, styles and elements hidden by attribute or inline style are dropped; block
elements become line or paragraph breaks, inline ones join their sentence, table cells are
tab-separated and <pre> keeps its whitespace. The tree is walked with an explicit stack, so
a deeply nested page cannot overflow Python's stack.
"""

from __future__ import annotations

import re
import warnings

from desktop_search.core.errors import ExtractionError

# Hidden or non-text content, dropped with everything inside it.
_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "iframe",
        "object",
        "embed",
        "canvas",
        "audio",
        "video",
        "map",
        "datalist",
    }
)
# Elements that end a paragraph (2) or a line (1); everything else flows inline.
_BREAKS = {
    **dict.fromkeys(
        [
            "p",
            "pre",
            "blockquote",
            "table",
            "ul",
            "ol",
            "dl",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "section",
            "article",
            "header",
            "footer",
            "nav",
            "aside",
            "main",
            "figure",
            "form",
            "fieldset",
            "address",
            "details",
            "center",
        ],
        2,
    ),
    **dict.fromkeys(
        [
            "br",
            "div",
            "li",
            "tr",
            "dt",
            "dd",
            "caption",
            "figcaption",
            "summary",
            "legend",
            "option",
            "title",
            "body",
            "html",
        ],
        1,
    ),
}
_CELLS = frozenset({"td", "th"})
#: The parsed tree takes about half a KB per tag: 400,000 tags (a 7 MB page of bare
#: cells and bold words; the largest gnuplot manual page has 8,200) peaked at 233 MB.
MAX_TAGS = 400_000
_WS = re.compile(r"\s+")


def html_text(data: bytes | str) -> str:
    """The page's title, then its visible text (not yet normalised: see ``extract``)."""
    if data.count(b"<" if isinstance(data, bytes) else "<") > MAX_TAGS:
        raise ExtractionError(f"the page has more than {MAX_TAGS:,} tags")
    soup = _html_soup()(data, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    text = _visible_text(soup)
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}" if text else title
    return text


def _html_soup():
    """bs4's BeautifulSoup, told that XHTML is parsed as HTML on purpose. It warns about every
    XHTML page and asks for its XML parser or this filter; the XML parser drops HTML's named
    entities ("caf&eacute;" reads "caf", "a&nbsp;b" reads "ab"), and browsers read a .html
    page as HTML too. Checked on each call: ``warnings.catch_warnings`` blocks restore the
    filters they found."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    if not any(f[2] is XMLParsedAsHTMLWarning for f in warnings.filters):
        warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
    return BeautifulSoup


def _visible_text(soup) -> str:
    """Visible text: inline elements join into their sentence, blocks become lines/paragraphs.

    Walks the tree with an explicit stack (deeply nested pages must not overflow the
    Python stack) and keeps the whitespace of <pre> blocks.
    """
    from bs4.element import CData, NavigableString, Tag

    out: list[str] = []
    pending = 0  # newlines owed before the next text: 1 line break, 2 paragraph break
    pre_depth = 0
    stack: list = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node.name == "pre":
                pre_depth -= 1
            pending = max(pending, _BREAKS.get(node.name, 0))
            continue
        if isinstance(node, Tag):
            name = node.name
            if name in _SKIP_TAGS or _hidden(node):
                continue
            if name in _BREAKS:
                pending = max(pending, _BREAKS[name])
            elif name in _CELLS and out and not pending:
                out.append("\t")
            if name == "pre":
                pre_depth += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
            continue
        if type(node) not in (NavigableString, CData):  # comments, doctype, instructions
            continue
        piece = str(node) if pre_depth else _WS.sub(" ", str(node))
        if not piece.strip():
            if out and not pending and not out[-1].endswith((" ", "\n", "\t")) and piece:
                out.append(" ")
            continue
        if pending:
            if out:
                out[-1] = out[-1].rstrip(" \t")
                out.append("\n" * pending)
            piece = piece.lstrip(" ") if not pre_depth else piece.lstrip("\n")
            pending = 0
        elif not pre_depth and out and out[-1].endswith((" ", "\n", "\t")):
            piece = piece.lstrip(" ")
        out.append(piece)
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# Page furniture named by the tools that generate manuals: navigation bars, sidebars,
# breadcrumbs, footers and the pilcrow links beside headings. DocBook's navheader and
# navfooter hold "Prev Up Home Next" and the neighbouring pages' titles; Sphinx's related
# bar and sidebar hold the table of contents and the search box.
_NAV_CLASSES = frozenset(
    {
        "navigation",
        "nav",
        "navbar",
        "breadcrumb",
        "breadcrumbs",
        "navheader",  # DocBook XSL
        "navfooter",
        "related",  # Sphinx
        "sphinxsidebar",
        "sphinxsidebarwrapper",
        "headerlink",
        "toc-backref",  # docutils
        "wy-nav-side",  # Read the Docs theme
        "rst-footer-buttons",
        "skip-link",
    }
)
_NAV_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})
# A block of links with little else is a navigation bar ("Prev Up Home Next", "Next:
# Transparency  Up: Plotting styles"), whatever its class: at least two links, at least
# this share of its words inside them, and short. A table of contents page is long, so it
# stays; a small block is cheap to measure, and a big one is never measured.
_LINK_SHARE = 0.7
_LINK_BLOCK_WORDS = 30
_LINK_BLOCK_TAGS = frozenset({"div", "table", "tr", "ul", "ol", "p", "td", "header", "footer"})


def _hidden(tag) -> bool:
    """Hidden from the reader, or page furniture: links to other pages' titles ("Next:
    Transparency", a sidebar's table of contents) are not this page's text and would make
    it match those pages' words."""
    if tag.name == "nav":
        return True
    attrs = tag.attrs
    if not attrs:
        return tag.name in _LINK_BLOCK_TAGS and _link_block(tag)
    if str(attrs.get("role", "")).lower() in _NAV_ROLES:
        return True
    classes = attrs.get("class") or ()
    if any(str(c).lower() in _NAV_CLASSES for c in classes):
        return True
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    style = attrs.get("style")
    if style:
        compact = str(style).replace(" ", "").lower()
        if "display:none" in compact or "visibility:hidden" in compact:
            return True
    return tag.name in _LINK_BLOCK_TAGS and _link_block(tag)


def _link_block(tag) -> bool:
    """Whether ``tag`` is a short block made mostly of links (see ``_LINK_SHARE``)."""
    if len(tag.find_all(True, limit=4 * _LINK_BLOCK_WORDS)) >= 4 * _LINK_BLOCK_WORDS:
        return False  # too big to be a navigation bar: never measured
    links = tag.find_all("a", href=True)
    if len(links) < 2:
        return False
    words = len(tag.get_text(" ").split())
    if words == 0 or words > _LINK_BLOCK_WORDS:
        return False
    in_links = sum(len(a.get_text(" ").split()) for a in links)
    return in_links >= _LINK_SHARE * words
