"""Ground truth for related files: the "See also" links people wrote between pages.

* Python docs (reStructuredText): each ``.. seealso::`` block's cross-references to other
  pages of the docs: ``:mod:`x``` (the page with ``.. module:: x``), ``:ref:`label```
  (the page with ``.. _label:``), ``:doc:`path```, and ``:func:``/``:class:``/... names
  (the page of their module, by the longest dotted prefix that is a module).
* gnuplot manual (LaTeX2HTML): the ``nodeN.html`` links in the sentence after "See also".

The R manuals are five whole-book PDFs whose "see also" pointers name sections inside the
same book, so they give no page-to-page links; they stay in the library as distractors.
Links to the page itself, to pages outside the library and to web addresses are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

_SEEALSO = re.compile(r"^(\s*)\.\. seealso::(.*)$")
_ROLE = re.compile(r":(mod|ref|doc|func|class|meth|data|exc|attr|obj):`([^`]+)`")
_MODULE = re.compile(r"^\.\. (?:module|py:module):: *(\S+)", re.M)
_LABEL = re.compile(r"^\.\. _([^:]+):\s*$", re.M)
_HTML_SEE = re.compile(r"See also(.*?)(?:<P>|<BR><HR>|</P>|\n\s*\n)", re.S | re.I)
_HREF = re.compile(r'HREF="(node\d+\.html)', re.I)


def _target(text: str) -> str:
    """The reference's target: ``title <target>`` or ``~target`` or ``target``."""
    m = re.search(r"<([^>]+)>\s*$", text)
    return (m.group(1) if m else text).strip().lstrip("~!").strip()


def _blocks(text: str) -> list[str]:
    """The text of every ``.. seealso::`` block (its argument line and indented body)."""
    lines = text.splitlines()
    out = []
    for n, line in enumerate(lines):
        m = _SEEALSO.match(line)
        if not m:
            continue
        indent, body = len(m.group(1)), [m.group(2)]
        for nxt in lines[n + 1 :]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt)
        out.append("\n".join(body))
    return out


def rst_links(root: Path) -> dict[Path, set[Path]]:
    pages = sorted(root.rglob("*.rst.txt"))
    texts = {p: p.read_text(errors="replace") for p in pages}
    modules: dict[str, Path] = {}
    labels: dict[str, Path] = {}
    for p, t in texts.items():
        for m in _MODULE.findall(t):
            modules.setdefault(m, p)
        for label in _LABEL.findall(t):
            labels.setdefault(label.strip().lower(), p)
    links: dict[Path, set[Path]] = {}
    for p, t in texts.items():
        for block in _blocks(t):
            for role, ref in _ROLE.findall(block):
                dest = _resolve(role, _target(ref), p, root, modules, labels)
                if dest is not None and dest != p:
                    links.setdefault(p, set()).add(dest)
    return links


def _resolve(role, target, page, root, modules, labels) -> Path | None:
    if role == "ref":
        return labels.get(target.lower())
    if role == "doc":
        base = root if target.startswith("/") else page.parent
        dest = (base / (target.lstrip("/") + ".rst.txt")).resolve()
        return dest if dest.is_file() else None
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in modules:
            return modules[".".join(parts[:n])]
    return None


def html_links(root: Path) -> dict[Path, set[Path]]:
    links: dict[Path, set[Path]] = {}
    for p in sorted(root.glob("node*.html")):
        for m in _HTML_SEE.finditer(p.read_text(errors="replace")):
            for href in _HREF.findall(m.group(1)):
                dest = root / href
                if dest != p and dest.is_file():
                    links.setdefault(p, set()).add(dest)
    return links


def see_also(docs: Path) -> dict[Path, set[Path]]:
    """Page -> the pages its "See also" names, over the Python docs and gnuplot."""
    return {**rst_links(docs / "rst"), **html_links(docs / "html")}
