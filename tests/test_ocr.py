"""OCR of scanned PDFs and images, on real pages: the fixture PDF's pages rendered, degraded
as a scanner would (200 dpi, a slight rotation, noise) and saved as an image-only PDF by
PIL, then indexed through the real Engine and the real Tesseract."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rapidfuzz.distance import Levenshtein

from desktop_search.cli import cli
from desktop_search.core.engine import Engine
from desktop_search.core.extract.ocr import DPI, INSTALL_HINT, Tesseract, pdf_pages
from desktop_search.core.index.scan import with_images

ROOT = Path(__file__).resolve().parents[1]
PDF = "docs/pdf/R-FAQ-excerpt.pdf"


def scan_of(src: Path, pages: list[int], seed: int = 7) -> list:
    """The pages as a scanner gives them: grey, turned by under a degree, speckled."""
    from PIL import Image

    rng = random.Random(seed)
    out = []
    for _, image in pdf_pages(src.read_bytes(), pages):
        image = image.rotate(rng.uniform(-0.8, 0.8), resample=Image.BICUBIC, fillcolor=255)
        noise = Image.effect_noise(image.size, 24).point(lambda v: 0 if v < 40 else 255)
        out.append(Image.composite(image, noise, noise))  # dark speckles, text untouched
    return out


def save_scanned_pdf(images: list, dst: Path) -> Path:
    images[0].save(dst, save_all=True, append_images=images[1:], resolution=DPI)
    return dst


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, fixture_data) -> Path:
    folder = tmp_path_factory.mktemp("scans")
    return save_scanned_pdf(scan_of(fixture_data / PDF, [2, 3]), folder / "scanned.pdf")


@pytest.mark.slow
def test_clean_renders_are_read_within_five_percent(fixture_data):
    from pypdf import PdfReader

    reader = PdfReader(fixture_data / PDF)
    engine = Tesseract()
    for number, image in pdf_pages((fixture_data / PDF).read_bytes(), [2, 3]):
        ref = " ".join(reader.pages[number - 1].extract_text().split())
        hyp = " ".join(engine.recognise(image).split())
        assert Levenshtein.distance(ref, hyp) / len(ref) <= 0.05, (number, hyp[:300])


@pytest.mark.slow
def test_a_scanned_pdf_is_found_by_a_word_and_a_renamed_copy_is_not_read_again(
    tmp_path, scanned, encoder
):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "scan.pdf").write_bytes(scanned.read_bytes())
    (docs / "note.txt").write_text("The kettle whistles when the water boils.")
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        first = engine.index([str(docs)], embed=False)
        # phase 1 leaves the scan waiting, and the rest is searchable at once
        assert first.files_added == 1 and first.files_for_ocr == 1
        assert engine.search("kettle", mode="keyword")[0].path.endswith("note.txt")
        assert engine.search("Sussman", mode="keyword") == []
        waiting = {p["path"]: p for p in engine.stats()["problems"]}
        assert waiting[str(docs / "scan.pdf")]["state"] == "ocr"

        report = engine.recognise_pending()
        assert report.pages_recognised == 2 and report.remaining == 0
        for word, page in (("Sussman", 2), ("Legalese", 1), ("MERCHANTABILITY", 1)):
            hits = engine.search(word, mode="keyword")
            assert hits and hits[0].path == str(docs / "scan.pdf"), word
            span = hits[0].passages[0].span
            assert (span.kind, span.n, span.text()) == (
                "page",
                page,
                f"page {page} · recognised text",
            )
        assert engine.stats()["problems"] == []

        (docs / "scan.pdf").rename(docs / "renamed scan.pdf")
        again = engine.sync(embed=False)
        assert again.files_added == 1 and again.files_for_ocr == 0  # read from the cache
        assert engine.recognise_pending().pages_recognised == 0
        assert engine.search("Sussman", mode="keyword")[0].path == str(docs / "renamed scan.pdf")


@pytest.mark.slow
def test_images_are_read_only_where_chosen_and_a_broken_one_is_a_problem(
    tmp_path, fixture_data, encoder
):
    docs = tmp_path / "docs"
    docs.mkdir()
    scan_of(fixture_data / PDF, [3])[0].save(docs / "page.png")
    (docs / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        report = engine.index([str(docs)], embed=False)
        assert report.files_added + report.files_failed + report.files_for_ocr == 0
        engine.add_root(str(docs), include=with_images([]))
        report = engine.sync(embed=False)
        assert report.files_for_ocr == 1 and report.files_failed == 1  # the broken one
        assert engine.recognise_pending().pages_recognised == 1
        hit = engine.search("schemewiki", mode="keyword")[0]
        assert hit.path == str(docs / "page.png")
        assert hit.passages[0].span.as_json() == {
            "kind": "page",
            "n": 1,
            "label": "recognised text",
        }
        problems = {Path(p["path"]).name: p["error"] for p in engine.stats()["problems"]}
        assert list(problems) == ["broken.jpg"] and "\n" not in problems["broken.jpg"]


@pytest.mark.slow
def test_without_the_engine_the_scan_waits_and_says_what_to_install(tmp_path, scanned):
    """No tesseract on PATH: the index command succeeds, and status names the package."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "scan.pdf").write_bytes(scanned.read_bytes())
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    data = str(tmp_path / "data")
    run = [sys.executable, "-m", "desktop_search.cli"]
    done = subprocess.run(
        [*run, "index", str(docs), "--data-dir", data, "--no-embed", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["files_for_ocr"] == 1
    out = CliRunner().invoke(cli, ["status", "--data-dir", data, "--json"])
    (problem,) = json.loads(out.stdout)["problems"]
    assert problem["state"] == "ocr" and problem["error"] == f"needs OCR: {INSTALL_HINT}"


@pytest.mark.slow
def test_the_indexing_process_runs_ocr_as_its_own_stage_that_yields(tmp_path, scanned, encoder):
    """Service.ocr: started, progress "recognising", finished; a waiting job stops it
    between pages (the file stays waiting), and the preview shows the recognised page."""
    from desktop_search.core.search.preview import PreviewRequest
    from desktop_search.core.service.jobs import Service
    from desktop_search.core.service.messages import Job

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "scan.pdf").write_bytes(scanned.read_bytes())
    events: list = []
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        engine.index([str(docs)], embed=False)
        service = Service(engine, events.append)
        service.ocr(lambda: True)  # a job is waiting: nothing is read
        result = next(e.payload for e in events if e.what == "finished")
        assert result.kind == "ocr" and result.report.yielded
        assert result.report.pages_recognised == 0 and engine.ocr_pending() == 1

        events.clear()
        service.cancel["index"].set()  # Cancel: the stage stops, and waits for the next sync
        service.ocr(lambda: False)
        result = next(e.payload for e in events if e.what == "finished")
        assert result.cancelled and result.report.pages_recognised == 0
        events.clear()
        service.ocr(lambda: False)
        assert events == []
        service.run(Job(2, "sync", None))  # nothing changed on disk; the hold is lifted

        events.clear()
        service.ocr(lambda: False)
        kinds = [(e.what, e.kind) for e in events if e.what in ("started", "finished")]
        assert kinds == [("started", "ocr"), ("finished", "ocr")]
        phases = {e.payload.phase for e in events if e.what == "progress"}
        assert phases == {"recognising"}
        assert [e.payload for e in events if e.what == "file"] == [str(docs / "scan.pdf")]
        report = events[-1].payload.report
        assert (report.files_done, report.pages_recognised, report.remaining) == (1, 2, 0)

        events.clear()
        hit = engine.search("Sussman", mode="keyword")[0]
        service.run(Job(9, "preview", PreviewRequest(9, hit.path, hit.passages[0], "Sussman")))
        doc = next(e.payload for e in events if e.what == "finished")
        assert not doc.error and "Sussman" in doc.html and doc.page == 2


def test_the_estimate_counts_chosen_images_at_the_measured_ocr_speed(tmp_path):
    from desktop_search.core.extract.ocr import OCR_SECONDS_PER_PAGE
    from desktop_search.core.index.estimate import scan_folders

    (tmp_path / "receipt.png").write_bytes(b"\x89PNG" + bytes(50_000))
    (tmp_path / "note.txt").write_text("The kettle whistles when the water boils.")
    assert scan_folders([str(tmp_path)]).ocr_pages == 0  # images are opt-in
    est = scan_folders([str(tmp_path)], with_images([]))
    assert (est.files, est.ocr_pages, est.ocr_seconds) == (2, 1, OCR_SECONDS_PER_PAGE)
    est.speed = 1e9  # the encoder's part is then nil: what is left is OCR and bookkeeping
    assert OCR_SECONDS_PER_PAGE <= est.seconds < OCR_SECONDS_PER_PAGE + 1
