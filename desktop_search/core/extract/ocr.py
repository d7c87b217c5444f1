"""Optical character recognition: a scanned page or an image in, its printed text out.

Tesseract (the engine Recoll and paperless-ngx use) was chosen over RapidOCR by
measurement on the same clean 200 dpi renders of real pages (``benchmarks/bench_ocr.py``):
lower character error rate on English text and less time per page. It runs as a child
process per page, fed a PNG on stdin, so a page that crashes or hangs it costs that page
only, and its threads are capped (the indexing process leaves the window a core).

Pages are rendered with pypdfium2, which carries its own PDFium binary. Nothing here
touches the index: ``ocr_stage`` decides what to recognise and stores the text.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from collections.abc import Iterator

from desktop_search.core.errors import ExtractionError

#: Renders are made at this resolution: Tesseract reads body text best at 200-300 dpi.
DPI = 200
#: A page or image larger than this many pixels is refused: a decompression bomb would
#: otherwise take gigabytes (a 200 dpi A3 page is about 11 million).
MAX_PIXELS = 40_000_000
#: One page may take this long before it is given up.
PAGE_TIMEOUT_S = 120
#: CPU seconds Tesseract takes for a page of printed text at ``DPI`` on one thread
#: (benchmarks/bench_ocr.py: mean CPU seconds over 12 real pages): the estimate's time per image.
OCR_SECONDS_PER_PAGE = 2.6
#: What the app says when the engine is not installed.
INSTALL_HINT = "OCR engine missing: install Tesseract (Debian/Ubuntu: apt install tesseract-ocr)"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})


class NeedsOcr(ExtractionError):
    """The file's text is in pictures only (a scan, an image): the OCR stage reads it."""


class OcrMissing(ExtractionError):
    """The OCR engine is not installed; the message says what to install."""


class Tesseract:
    """The ``tesseract`` command, one page per call, English."""

    def __init__(self, threads: int = 1, language: str = "eng") -> None:
        self.threads = threads
        self.language = language

    @property
    def available(self) -> bool:
        return _binary() is not None

    def name_version(self) -> str:
        """The cache key's engine part: new models or a new version read pages anew."""
        return f"tesseract {_version()} {self.language}"

    def recognise(self, image) -> str:
        """The text of one PIL image, lines in reading order."""
        binary = _binary()
        if binary is None:
            raise OcrMissing(INSTALL_HINT)
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        env = {**os.environ, "OMP_THREAD_LIMIT": str(self.threads)}
        try:
            done = subprocess.run(
                [binary, "stdin", "stdout", "-l", self.language, "--psm", "3"],
                input=buf.getvalue(),
                capture_output=True,
                timeout=PAGE_TIMEOUT_S,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"OCR took longer than {PAGE_TIMEOUT_S} s on a page") from exc
        except OSError as exc:
            raise OcrMissing(f"{INSTALL_HINT} ({exc.strerror or exc})") from exc
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ExtractionError(f"OCR failed: {why[-1] if why else done.returncode}"[:300])
        return done.stdout.decode("utf-8", "replace").replace("\f", "")


@functools.cache
def _binary() -> str | None:
    return shutil.which("tesseract")


@functools.cache
def _version() -> str:
    binary = _binary()
    if binary is None:
        return "missing"
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = (out.stdout or out.stderr).decode("utf-8", "replace").split("\n", 1)[0]
    return first.replace("tesseract", "").strip() or "unknown"


def pdf_pages(data: bytes, numbers: list[int]) -> Iterator[tuple[int, object]]:
    """(page number, grey PIL image) of the given 1-based pages, rendered at ``DPI``."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(f"corrupt PDF: cannot render it ({exc})"[:300]) from exc
    try:
        for number in numbers:
            page = doc[number - 1]
            width, height = page.get_size()
            if width * height * (DPI / 72) ** 2 > MAX_PIXELS:
                raise ExtractionError(f"page {number} is too large to recognise")
            yield number, page.render(scale=DPI / 72, grayscale=True).to_pil()
            page.close()
    finally:
        doc.close()


def check_image(data: bytes) -> None:
    """Refuse a broken or oversized picture in phase 1 (headers only: no pixels decoded),
    so that only readable images wait for the OCR stage."""
    for _ in image_pages(data, decode=False):
        pass


def image_pages(data: bytes, decode: bool = True) -> Iterator[tuple[int, object]]:
    """(frame number, grey image) of a picture: a multi-page TIFF gives each frame.
    ``decode=False`` reads the headers only and yields the undecoded frame."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        for number in range(1, frames + 1):
            image.seek(number - 1)
            if image.width * image.height > MAX_PIXELS:
                raise ExtractionError("the image is too large to recognise")
            yield number, image.convert("L") if decode else image
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"corrupt or unreadable image: {exc}"[:300]) from exc
    except Image.DecompressionBombError as exc:
        raise ExtractionError("the image is too large to recognise") from exc
