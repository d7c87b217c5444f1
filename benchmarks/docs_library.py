"""The ~4.8k-passage docs library the related-files and topic benchmarks share, indexed once.

The whole of ../shared/data/docs cuts into 65k passages. Embedding them took far too long
on two cores shared by seven sessions (2-5 passages/s while this was written), so the
benchmarks use a copy of part of it: the gnuplot pages up to ``MAX_PAGE_BYTES`` * 3 of
HTML, and the Python pages that take part in a "See also" link (see ``related_truth``) up
to ``MAX_PAGE_BYTES`` (the long module references would crowd out the rest). The copy and
its index live in a cache folder outside the repository (``DESKTOP_SEARCH_BENCH_CACHE``,
default /work/bench-cache) and are reused by every later run.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from common import DOCS, ROOT
from related_truth import see_also

CACHE = Path(os.environ.get("DESKTOP_SEARCH_BENCH_CACHE", "/work/bench-cache"))
LIBRARY = CACHE / "docs-subset"
INDEX = CACHE / "docs-index"
_UP = re.compile(r'<B> Up:</B> <A\s+HREF="([^"#]+)', re.S)
_TITLE = re.compile(r"<TITLE>([^<]*)</TITLE>")
MAX_PAGE_BYTES = 10_000
"""Python pages up to this size take part (about 50 passages of 128 tokens)."""


def chosen() -> list[Path]:
    """The shared files in the library, as paths under ``DOCS``."""
    linked = see_also(DOCS)
    pages = set(linked) | {t for ts in linked.values() for t in ts}
    rst = {p for p in pages if p.suffix == ".txt" and p.stat().st_size <= MAX_PAGE_BYTES}
    html = {p for p in (DOCS / "html").glob("*.html") if p.stat().st_size <= 3 * MAX_PAGE_BYTES}
    return sorted(rst | html)


def collection(path: Path) -> str:
    """The source of a library file: "python", or the gnuplot manual's chapter (Commands,
    Terminal types, Plotting styles...), read from the pages' own "Up:" links."""
    rel = path.relative_to(LIBRARY) if path.is_relative_to(LIBRARY) else path.relative_to(DOCS)
    if rel.parts[0] != "html":
        return "python"
    return "gnuplot/" + _chapters().get(rel.name, "?")


@functools.cache
def _chapters() -> dict[str, str]:
    """gnuplot page name -> the title of its top-level chapter."""
    up, title = {}, {}
    for page in (DOCS / "html").glob("node*.html"):
        text = page.read_text(errors="replace")
        m = _UP.search(text)
        up[page.name] = m.group(1) if m else None
        t = _TITLE.search(text)
        title[page.name] = t.group(1).strip() if t else page.name
    out = {}
    for name in up:
        chain = [name]
        while up.get(chain[-1]) in up and len(chain) < 30:
            chain.append(up[chain[-1]])
        out[name] = title[chain[-1]]
    return out


def build() -> Path:
    """Copy the library and index it (phases 1 and 2) unless done before; its data dir."""
    if not LIBRARY.is_dir():
        tmp = LIBRARY.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        for src in chosen():
            dest = tmp / src.relative_to(DOCS)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
        tmp.rename(LIBRARY)
    done = INDEX / "complete"
    if not done.exists():
        cmd = [sys.executable, "-m", "desktop_search.cli", "index", str(LIBRARY)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
        subprocess.run([*cmd, "--data-dir", str(INDEX), "--json"], check=True, env=env)
        done.touch()
    return INDEX


if __name__ == "__main__":
    print(build())
