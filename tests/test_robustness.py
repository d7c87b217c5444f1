"""Bad input, concurrency, a second instance and privacy, on real files and processes."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine import Engine
from desktop_search.core.errors import IndexBusyError
from desktop_search.core.index.scan import FileStat

from .corpus import CAR_TEXT, make_pdf

ROOT = Path(__file__).resolve().parents[1]


def _write_bad_folder(root: Path, data: Path) -> dict[str, str | None]:
    """Each awkward file, and the error we expect for it (None: it must index fine)."""
    from pypdf import PdfWriter

    root.mkdir()
    (root / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\x01")
    enc = PdfWriter(
        clone_from=make_pdf(data / "docs" / "pdf" / "R-FAQ-excerpt.pdf", root / "tmp.pdf", 1)
    )
    enc.encrypt("secret")
    with open(root / "encrypted.pdf", "wb") as fh:
        enc.write(fh)
    (root / "tmp.pdf").unlink()
    blank = PdfWriter()
    blank.add_blank_page(width=200, height=200)
    with open(root / "scanned.pdf", "wb") as fh:
        blank.write(fh)
    (root / "empty.txt").write_bytes(b"")
    (root / "huge.txt").write_text("big text " * 800_000)  # over the limit set below
    (root / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (root / "latin1.txt").write_bytes(
        "Crème brûlée recipe: caramelise the sugar on the custard.".encode("cp1252")
    )
    (root / "utf16bom.txt").write_bytes("Tortoises live for more than a century.".encode("utf-16"))
    (root / "utf16nobom.txt").write_bytes(
        "Penguins cannot fly but swim very well.".encode("utf-16-le")
    )
    (root / "one line.txt").write_bytes(b"abcdefghij" * 500_000)  # 5 MB, no spaces
    odd = root / "spaces and ünïcødé\nnewline.txt"
    odd.write_text(CAR_TEXT)
    os.symlink(root, root / "loop")
    os.symlink(root / "self", root / "self")
    deep = root
    for _ in range(200):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text(
        "The deepest note says the treasure is buried under the old oak."
    )
    return {
        "corrupt.pdf": "pdf",
        "encrypted.pdf": "encrypted",
        "scanned.pdf": "no text layer",
        "empty.txt": "empty",
        "huge.txt": "size limit",
        "binary.txt": "binary",
        "latin1.txt": None,
        "utf16bom.txt": None,
        "utf16nobom.txt": None,
        "one line.txt": "no searchable words",
        odd.name: None,
        "bottom.txt": None,
    }


@pytest.mark.slow
def test_bad_inputs_are_recorded_and_indexing_carries_on(tmp_path, fixture_data, encoder):
    root = tmp_path / "bad"
    expected = _write_bad_folder(root, fixture_data)
    data = tmp_path / "data"
    engine = Engine(data, encoder=encoder, max_file_size=6 * 1024 * 1024)
    try:
        engine.indexer.add_root(str(root))
        report = engine.sync()
        # a file deleted between the scan and the read
        gone = engine.indexer.reader.prepare(
            FileStat(str(root / "vanished.txt"), 10, 0), None, True
        )
        assert gone.state == "gone" and "disappeared" in gone.error
        for query, name in [
            ("creme brulee dessert", "latin1.txt"),
            ("long-lived reptiles", "utf16bom.txt"),
            ("birds that swim", "utf16nobom.txt"),
            ("buried treasure", "bottom.txt"),
            ("automobile maintenance", "spaces and ünïcødé\nnewline.txt"),
        ]:
            assert Path(engine.search(query, k=1)[0].path).name == name, query
    finally:
        engine.close()
    out = CliRunner().invoke(cli, ["status", "--data-dir", str(data), "--json"])
    problems = {Path(p["path"]).name: p for p in json.loads(out.stdout)["problems"]}
    for name, needle in expected.items():
        if needle is None:
            assert name not in problems, problems.get(name)
        else:
            assert needle in problems[name]["error"].lower(), (name, problems[name])
    assert problems["huge.txt"]["state"] == "skipped"
    assert report.files_failed == len([v for v in expected.values() if v])


def test_five_megabyte_line_keeps_memory_bounded(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "blob.txt").write_bytes(bytes(range(97, 123)) * 200_000)  # 5.2 MB, no spaces
    script = (
        "import sys\n"
        "from desktop_search.core.engine import Engine\n"
        "e = Engine(sys.argv[1])\n"
        "e.indexer.add_root(sys.argv[2])\n"
        "r = e.indexer.sync()\n"
        # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(r.files_failed, int(hwm) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data"), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    failed, peak_mb = map(int, out.stdout.split())
    assert failed == 1  # recorded as "no searchable words", not embedded as [UNK] soup
    assert peak_mb < 800, peak_mb


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode bits")
def test_unreadable_file_is_a_clear_error(tmp_path, encoder):
    root = tmp_path / "docs"
    root.mkdir()
    f = root / "private.txt"
    f.write_text("secret")
    f.chmod(0)
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        engine.sync()
        assert engine.store.problems()[0]["error"] == "permission denied"


@pytest.mark.slow
def test_search_while_indexing_from_a_thread_and_a_process(tmp_path, fixture_data, encoder):
    from desktop_search.core.training.readers import read_stsb_rows as read_stsb

    root = tmp_path / "docs"
    root.mkdir()
    rows = read_stsb(fixture_data / "stsb" / "sts-dev.csv")
    for i, (a, b, _) in enumerate(rows[:150]):
        (root / f"n{i:03d}.txt").write_text(f"{a} {b}")
    data = tmp_path / "data"
    engine = Engine(data, encoder=encoder)
    engine.indexer.add_root(str(root))
    stop = threading.Event()
    errors: list[str] = []
    searches = [0]

    def searcher() -> None:
        while not stop.is_set():
            try:
                searcher = engine.searcher()
                results = searcher.search("a man plays music", k=5)
                store = searcher.store
                with store.read():
                    for r in results:  # a file is never seen half-written
                        n, expected = store.conn.execute(
                            "SELECT (SELECT count(*) FROM passages WHERE file_id = f.id), f.n_passages"
                            " FROM files f WHERE f.path = ?",
                            (r.path,),
                        ).fetchone() or (0, 0)
                        assert n == expected
                searches[0] += 1
            except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
                errors.append(repr(exc))

    script = (
        "import sys, time\n"
        "from desktop_search.core.engine import Engine\n"
        "e = Engine(sys.argv[1], writer=False)\n"
        "n = 0\nend = time.time() + 600\n"
        "while time.time() < end:\n"
        "    e.search('a man plays music', k=5); n += 1\n"
        "    if n >= 15 and e.store.counts()['files'] >= 150: break\n"
        "print(n)\n"
    )
    thread = threading.Thread(target=searcher)
    thread.start()
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        report = engine.sync()
    finally:
        stop.set()
        thread.join()
    out, err = proc.communicate(timeout=300)
    engine.close()
    assert report.files_added == 150
    assert errors == [] and searches[0] > 0
    assert proc.returncode == 0, err[-2000:]
    assert "locked" not in err and int(out.strip()) >= 15


def test_second_instance_refuses_to_index_but_may_search(tmp_path, encoder):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "car.txt").write_text(CAR_TEXT)
    data = tmp_path / "data"
    first = Engine(data, encoder=encoder)
    try:
        first.indexer.add_root(str(root))
        first.sync()
        with pytest.raises(IndexBusyError, match="another desktop-search process"):
            Engine(data, encoder=encoder)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop_search.cli",
                "index",
                str(root),
                "--data-dir",
                str(data),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1 and "another desktop-search process" in result.stderr
        reader = Engine(data, encoder=encoder, writer=False)
        assert Path(reader.search("automobile maintenance", k=1)[0].path).name == "car.txt"
        reader.close()
    finally:
        first.close()
    Engine(data, encoder=encoder).close()  # the lock is free again


def test_no_network_and_private_files(tmp_path, monkeypatch, fixture_data):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from desktop_search.core.encode.encoder import Encoder

    root = tmp_path / "docs"
    root.mkdir()
    (root / "car.txt").write_text(CAR_TEXT)
    make_pdf(fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf", root / "rfaq.pdf", 1)
    data = tmp_path / "data"
    engine = Engine(data, encoder=Encoder())  # a fresh load, offline
    try:
        engine.indexer.add_root(str(root))
        engine.sync()
        assert Path(engine.search("automobile maintenance", k=1)[0].path).name == "car.txt"
    finally:
        engine.close()
    for path in [data, *data.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_no_code_path_goes_through_a_shell():
    offenders = []
    for src in (ROOT / "desktop_search").rglob("*.py"):
        text = src.read_text()
        for needle in ("shell=True", "os.system(", "os.popen(", "subprocess.getoutput"):
            if needle in text:
                offenders.append(f"{src.name}: {needle}")
    assert offenders == []
