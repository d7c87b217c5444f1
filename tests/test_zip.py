"""Zip archives: members read in memory, found in their span, opened one at a time; bombs
and damaged archives are one-line problems in bounded memory."""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine import Engine
from desktop_search.core.extract.dispatch import ExtractionError, extract_bytes, extract_file
from desktop_search.core.search.preview import ExtractCache, PreviewRequest, build_preview

from .corpus import CAR_TEXT, make_pdf

PDF = "docs/pdf/R-FAQ-excerpt.pdf"


def archive_with_pdf(folder: Path, fixture_data: Path) -> Path:
    """A real zip (zipfile, deflated): a PDF in a folder, a note, and an inner zip."""
    pdf = make_pdf(fixture_data / PDF, folder / "faq.pdf", 3)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("hidden.txt", "The inner archive mentions a zeppelin hangar.")
    path = folder / "bundle.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(pdf, "reports/R FAQ.pdf")
        z.writestr("notes/car.txt", CAR_TEXT)
        z.writestr("old/inner.zip", inner.getvalue())
        z.writestr("photo.jpg", b"\xff\xd8 not indexed inside an archive")
    pdf.unlink()
    return path


def test_members_are_spans_and_a_nested_archive_lists_its_names(tmp_path, fixture_data):
    doc = extract_file(archive_with_pdf(tmp_path, fixture_data))
    labels = [(s.span, s.label) for s in doc.segments]
    assert labels == [
        ("member", "reports/R FAQ.pdf"),
        ("member", "notes/car.txt"),
        ("member", "old/inner.zip"),
    ]
    pdf = doc.segments[0]
    assert "Sussman" in doc.text[pdf.start : pdf.end]
    inner = doc.segments[2]
    assert "hidden.txt" in doc.text[inner.start : inner.end]  # one level deep: names only
    assert "zeppelin" not in doc.text


@pytest.mark.slow
def test_a_phrase_in_a_zipped_pdf_is_found_in_its_member_and_opens(tmp_path, fixture_data, encoder):
    docs = tmp_path / "docs"
    docs.mkdir()
    archive = archive_with_pdf(docs, fixture_data)
    _bomb(docs / "bomb.zip", 100)
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        report = engine.index([str(docs)])
        assert report.files_added == 1 and report.files_failed == 1
        (problem,) = engine.stats()["problems"]
        assert problem["path"].endswith("bomb.zip") and "expands to more than" in problem["error"]
        hit = engine.search("Sussman Scheme", mode="keyword")[0]
        assert hit.path == str(archive)
        span = hit.passages[0].span
        assert (span.kind, span.label, span.text()) == (
            "member",
            "reports/R FAQ.pdf",
            "▸ reports/R FAQ.pdf",
        )
        preview = build_preview(
            PreviewRequest(1, hit.path, hit.passages[0], "Sussman"), ExtractCache()
        )
        assert not preview.error and "Sussman" in preview.html
        meaning = engine.search("how to fix a car that will not start", mode="semantic")[0]
        assert meaning.passages[0].span.label == "notes/car.txt"

        opened = engine.unpack_member(str(archive), "reports/R FAQ.pdf")
        assert opened.name == "R FAQ.pdf" and opened.read_bytes()[:5] == b"%PDF-"
        assert stat.S_IMODE(opened.parent.stat().st_mode) == 0o700
        assert not (docs / "reports").exists()  # nothing unpacked beside the archive
    out = CliRunner().invoke(
        cli, ["search", "Sussman", "--mode", "keyword", "--json", "--data-dir", str(data)]
    )
    (result,) = json.loads(out.stdout)["results"]
    assert result["passages"][0]["span"] == {
        "kind": "member",
        "n": 1,
        "label": "reports/R FAQ.pdf",
    }
    out = CliRunner().invoke(
        cli,
        [
            "open",
            str(archive),
            "--member",
            "notes/car.txt",
            "--print-path",
            "--data-dir",
            str(data),
        ],
    )
    assert out.exit_code == 0, out.output
    assert Path(out.stdout.strip()).read_text() == CAR_TEXT


def _bomb(path: Path, megabytes: int) -> Path:
    """One member of zeros, ``megabytes`` MB unpacked, about a thousandth of that packed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open("zeros.txt", "w") as m:
        block = b"\0" * 2**20
        for _ in range(megabytes):
            m.write(block)
    return path


def _overlapping(path: Path) -> Path:
    """Two central-directory entries that share one stretch of compressed bytes (the
    overlapping-entry bomb of CVE-2024-0450): the second entry points at the first's."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", "alpha " * 1000)
        z.writestr("b.txt", "alpha " * 1000)
    data = bytearray(path.read_bytes())
    second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, second + 42, 0)  # b.txt's local header offset -> a.txt's
    path.write_bytes(bytes(data))
    return path


def _empty_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.mkdir("only a folder")
    return out.getvalue()


def test_bombs_and_damage_are_one_line_problems(tmp_path, fixture_data):
    good = archive_with_pdf(tmp_path, fixture_data).read_bytes()
    cases = {
        "ratio": (_bomb(tmp_path / "ratio.zip", 100).read_bytes(), "expands to more than 32 MB"),
        "overlap": (_overlapping(tmp_path / "overlap.zip").read_bytes(), "overlapping entries"),
        "cut": (good[: len(good) // 2], "corrupt, or not a valid zip archive"),
        "empty": (_empty_zip(), "no file of a type that is indexed"),
    }
    for name, (data, needle) in cases.items():
        with pytest.raises(ExtractionError) as err:
            extract_bytes(data, "zip")
        message = str(err.value)
        assert needle in message and "\n" not in message, (name, message)


@pytest.mark.slow  # deflates 600 MB to build the largest bomb
def test_bombs_are_refused_in_bounded_memory(tmp_path):
    files = [_bomb(tmp_path / "big.zip", 600), _bomb(tmp_path / "ratio.zip", 100)]
    files.append(_overlapping(tmp_path / "overlap.zip"))
    honest = tmp_path / "honest.zip"  # 15 MB of real text in six members: read, not refused
    text = (CAR_TEXT * (5 * 2**19 // len(CAR_TEXT) + 1))[: 5 * 2**19]
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(6):
            z.writestr(f"part {i}.txt", text)
    files.append(honest)
    script = (
        "import sys\n"
        "from desktop_search.core.extract.dispatch import ExtractionError, extract_file\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        print(len(extract_file(path).segments), 'members')\n"
        "    except ExtractionError as exc:\n"
        "        print(exc)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(int(hwm) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    *errors, peak_mb = out.stdout.splitlines()
    assert [("expands" in e or "overlapping" in e) for e in errors[:3]] == [True] * 3, errors
    assert errors[3] == "6 members"
    assert int(peak_mb) < 300, peak_mb


def test_the_app_unpacks_a_member_off_the_gui_thread_to_open_it(
    qtbot, tmp_path, fixture_data, encoder
):
    """Open on a member: the reading thread unpacks it (the window then hands the path to
    the desktop); a member that is not there is a message, not a crash."""
    from desktop_search.app.mainwindow.readers import Readers

    docs = tmp_path / "docs"
    docs.mkdir()
    archive = str(archive_with_pdf(docs, fixture_data))
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        engine.index([str(docs)], embed=False)
    readers = Readers(tmp_path / "data", encoder=encoder)
    with qtbot.waitSignal(readers.engineOpened, timeout=60_000):
        readers.start()
    try:
        with qtbot.waitSignal(readers.search_job.unpacked, timeout=30_000) as got:
            readers.unpack(archive, "notes/car.txt")
        path, error = got.args
        assert error == "" and Path(path).read_text() == CAR_TEXT
        with qtbot.waitSignal(readers.search_job.unpacked, timeout=30_000) as got:
            readers.unpack(archive, "notes/missing.txt")
        assert got.args[0] == "" and "missing" in got.args[1]
    finally:
        with qtbot.waitSignal(readers.closed, timeout=30_000):
            readers.close()
