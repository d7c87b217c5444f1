"""Small real corpora for tests, from tests/fixtures plus a few hand-written files."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

CAR_TEXT = (
    "Fixing a broken vehicle at home.\n\n"
    "Replace worn brake pads, change the engine oil every five thousand miles and rotate the tyres. "
    "A good mechanic also checks the transmission fluid and the battery before a long trip."
)
BREAD_TEXT = (
    "# Sourdough\n\nMix flour, water and salt with an active starter. Let the dough rise overnight, "
    "shape it into a loaf and bake it in a very hot oven until the crust is dark brown."
)

RST_FILES = ["library/colorsys.rst.txt", "library/keyword.rst.txt", "library/uu.rst.txt"]


def make_pdf(src: Path, dst: Path, pages: int = 2) -> Path:
    """A real PDF: the first ``pages`` pages of ``src``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(src).pages[:pages]:
        writer.add_page(page)
    with open(dst, "wb") as fh:
        writer.write(fh)
    return dst


def build_corpus(data: Path, root: Path) -> Path:
    """A mixed folder: rst, txt, md, html and pdf, one old file for date filters."""
    root.mkdir(parents=True, exist_ok=True)
    for rel in RST_FILES:
        shutil.copy(data / "docs" / "rst" / rel, root / Path(rel).name.replace(".rst.txt", ".rst"))
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "notes").mkdir(exist_ok=True)
    (root / "notes" / "bread.md").write_text(BREAD_TEXT)
    shutil.copy(data / "docs" / "html" / "node10.html", root / "plot.html")
    make_pdf(data / "docs" / "pdf" / "R-FAQ-excerpt.pdf", root / "rfaq.pdf")
    old = 946684800  # 2000-01-01
    os.utime(root / "notes" / "bread.md", (old, old))
    return root


def indexed_engine(root: Path, data_dir: Path, encoder):
    """A writer engine over ``root``, synced once: (engine, report). The caller closes it."""
    from desktop_search.core.engine import Engine

    engine = Engine(data_dir, encoder=encoder)
    return engine, engine.index([str(root)])


@contextmanager
def app_reading_side(data_dir: Path, encoder):
    """What the app gives its Duplicates tab: a reading Engine, and duplicate scans in a
    real indexing process (started here, ended on exit). Yields (engine, scans, process)."""
    from desktop_search.app.duplicates.job import DuplicateScanJob
    from desktop_search.app.indexing.process import IndexProcess
    from desktop_search.core.engine import Engine

    process = IndexProcess(data_dir)
    process.start()
    engine = Engine(data_dir, encoder=encoder, writer=False)
    try:
        yield engine, DuplicateScanJob(process), process
    finally:
        process.quit()
        process.kill()
        engine.close()
