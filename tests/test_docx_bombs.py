"""Word files built to exhaust memory: refused with a plain reason, in bounded memory."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from desktop_search.core.extract.dispatch import ExtractionError, extract_file

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HEAD = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'.encode()
TAIL = b"</w:body></w:document>"


def _docx_with(path: Path, body_chunks) -> Path:
    """A real python-docx package whose word/document.xml is replaced by streamed chunks."""
    seed = io.BytesIO()
    docx.Document().save(seed)
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, src.read(item))
        with out.open("word/document.xml", "w") as member:
            member.write(HEAD)
            for chunk in body_chunks:
                member.write(chunk)
            member.write(TAIL)
    return path


def _text_bomb(path: Path, megabytes: int) -> Path:
    """One paragraph of repeated text, ``megabytes`` MB unpacked, a few hundred KB packed."""
    line = b"All work and no play makes Jack a dull boy. " * 23_831  # ~1 MB
    chunks = [b"<w:p><w:r><w:t>", *([line] * megabytes), b"</w:t></w:r></w:p>"]
    return _docx_with(path, chunks)


def _paragraph_bomb(path: Path, paragraphs: int) -> Path:
    return _docx_with(path, [b"<w:p/>" * 100_000] * (paragraphs // 100_000))


def _understate_size(path: Path, name: str, size: int) -> None:
    """Rewrite the central directory so that ``name`` claims to unpack to ``size`` bytes."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_a_text_bomb_is_refused_by_its_size(tmp_path):
    bomb = _text_bomb(tmp_path / "bomb.docx", 300)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    with pytest.raises(ExtractionError, match=r"^the document expands to more than 64 MB$"):
        extract_file(bomb)


def test_a_bomb_that_understates_its_size_is_cut_at_the_stated_size(tmp_path):
    bomb = _text_bomb(tmp_path / "liar.docx", 300)
    _understate_size(bomb, "word/document.xml", 4096)
    with pytest.raises(ExtractionError, match="docx"):
        extract_file(bomb)


def test_millions_of_tiny_paragraphs_are_refused(tmp_path):
    bomb = _paragraph_bomb(tmp_path / "many.docx", 5_000_000)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(ExtractionError, match=r"more than 200,000 paragraphs"):
        extract_file(bomb)


@pytest.mark.slow  # deflates 600 MB to build the bombs
def test_bombs_are_refused_in_bounded_memory(tmp_path):
    """Peak memory of a child that extracts each bomb (the old reader peaked at gigabytes)."""
    files = [
        _text_bomb(tmp_path / "bomb.docx", 300),
        _paragraph_bomb(tmp_path / "many.docx", 5_000_000),
    ]
    liar = _text_bomb(tmp_path / "liar.docx", 300)
    _understate_size(liar, "word/document.xml", 60 * 1024 * 1024)  # just under the cap
    files.append(liar)
    script = (
        "import sys\n"
        "from desktop_search.core.extract.dispatch import ExtractionError, extract_file\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        extract_file(path)\n"
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
    )
    assert out.returncode == 0, out.stderr[-2000:]
    *errors, peak_mb = out.stdout.splitlines()
    assert len(errors) == 3, errors
    assert int(peak_mb) < 400, peak_mb


def test_a_large_honest_document_still_reads(tmp_path):
    paragraph = b"<w:p><w:r><w:t>Chapter text about lighthouses and ships.</w:t></w:r></w:p>"
    doc = _docx_with(tmp_path / "book.docx", [paragraph * 10_000] * 5)  # 50,000 paragraphs
    text = extract_file(doc).text
    assert text.count("lighthouses") == 50_000
