"""OCR engines on the same real pages: character error rate against the PDF's own text layer,
and seconds per page (wall and CPU), each engine on one thread, as the indexer runs it.

One thread each because the OCR stage reads one page at a time in the niced indexing process
on a 2-core machine, leaving the other core to the window. Tesseract's OpenMP build is much
worse with two threads on a busy machine (its threads spin-wait): on the shared 2-core
machine under load one page took 11 s wall with OMP_THREAD_LIMIT=1 and 96 s with 2.

Pages are rendered clean at 200 dpi with pypdfium2 (as the indexer renders a scanned page),
from the test fixture and from the R manuals in ../shared/data/docs/pdf. The reference is
the page's text layer as the indexer reads it (pypdf). CER = Levenshtein distance / length
of the reference, after runs of whitespace become one space (layout is not the point);
"no-space CER" drops whitespace altogether, so an engine that glues words is not charged
for layout alone. The engine the app uses is ``core.ocr``'s; RapidOCR (PP-OCRv4 ONNX models
in its wheel) is measured beside it.

    python benchmarks/bench_ocr.py [--pages-per-file 2] [--engines tesseract,rapidocr]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import time

from common import DOCS, ROOT, peak_rss_mb, table
from rapidfuzz.distance import Levenshtein

THREADS = 1
DPI = 200


def pages(per_file: int) -> list[tuple[str, int, str, object]]:
    """(file name, page number, text layer, rendered image) for the sampled pages."""
    import pypdfium2
    from pypdf import PdfReader

    files = [ROOT / "tests/fixtures/docs/pdf/R-FAQ-excerpt.pdf"]
    files += sorted((DOCS / "pdf").glob("*.pdf"))
    out = []
    for path in files:
        reader = PdfReader(path)
        doc = pypdfium2.PdfDocument(path)
        n = len(reader.pages)
        # the fixture whole; elsewhere pages spread through the body (not the title page)
        chosen = range(n) if "fixtures" in str(path) else _spread(n, per_file)
        for i in chosen:
            text = reader.pages[i].extract_text() or ""
            if len(text.strip()) < 200:
                continue
            image = doc[i].render(scale=DPI / 72, grayscale=True).to_pil()
            out.append((path.name, i + 1, text, image))
        doc.close()
    return out


def _spread(n: int, k: int) -> list[int]:
    return [max(1, (j + 1) * n // (k + 1)) for j in range(k)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cer(ref: str, hyp: str, spaces: bool = True) -> float:
    if spaces:
        ref, hyp = _squash(ref), _squash(hyp)
    else:
        ref, hyp = re.sub(r"\s+", "", ref), re.sub(r"\s+", "", hyp)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def _children_rss_mb() -> float:
    """Peak RSS of the largest child: Tesseract runs in its own process."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as one)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def tesseract_engine():
    from desktop_search.core.extract.ocr import Tesseract

    engine = Tesseract(threads=THREADS)
    return engine.name_version(), engine.recognise, _children_rss_mb


def rapidocr_engine():
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1)

    def recognise(image) -> str:
        import numpy as np

        result, _ = ocr(np.asarray(image.convert("RGB")))
        return "\n".join(line[1] for line in result or [])

    from importlib.metadata import version

    return (
        f"rapidocr-onnxruntime {version('rapidocr_onnxruntime')} (PP-OCRv4)",
        recognise,
        peak_rss_mb,
    )


ENGINES = {"tesseract": tesseract_engine, "rapidocr": rapidocr_engine}  # tesseract first: the
# process RSS read for RapidOCR then holds the renders and RapidOCR, never Tesseract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages-per-file", type=int, default=2)
    parser.add_argument("--engines", default="tesseract,rapidocr")
    args = parser.parse_args()
    sample = pages(args.pages_per_file)
    print(f"# {len(sample)} pages at {DPI} dpi, {THREADS} threads per engine")
    rows, detail = [], []
    for key in args.engines.split(","):
        name, recognise, rss = ENGINES[key]()
        recognise(sample[0][3])  # warm-up: model load, first-call costs
        rates, rates_ns, times, cpus = [], [], [], []
        for fname, number, ref, image in sample:
            t0, c0 = time.perf_counter(), _cpu()
            hyp = recognise(image)
            times.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
            rates.append(cer(ref, hyp))
            rates_ns.append(cer(ref, hyp, spaces=False))
            row = [key, f"{fname} p{number}", f"{rates[-1]:.3f}", f"{times[-1]:.1f}"]
            detail.append([*row, f"{cpus[-1]:.1f}"])
            print("#", *detail[-1], flush=True)  # a run cut short still says something
        total_ref = sum(len(_squash(r)) for _, _, r, _ in sample)
        pooled = sum(c * len(_squash(r)) for c, (_, _, r, _) in zip(rates, sample)) / total_ref
        rows.append(
            [
                name,
                f"{pooled:.3f}",
                f"{statistics.median(rates):.3f}",
                f"{max(rates):.3f}",
                f"{statistics.mean(rates_ns):.3f}",
                f"{statistics.mean(times):.1f}",
                f"{statistics.mean(cpus):.1f}",
                f"{rss():.0f}",
            ]
        )
    header = [
        "engine",
        "CER",
        "median",
        "worst",
        "no-space CER",
        "s/page",
        "CPU s/page",
        "peak RSS MB",
    ]
    print(table(rows, header))
    print()
    print(table(detail, ["engine", "page", "CER", "s", "CPU s"]))


if __name__ == "__main__":
    main()
