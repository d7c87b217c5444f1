"""Clear errors, nothing lost: a damaged database, a full disk, odd file names, usage errors.

Real SQLite files damaged on disk, real CLI runs, real file names with undecodable bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine import Engine
from desktop_search.core.sanitize import plain_error
from desktop_search.core.search.searcher import MODES
from desktop_search.core.store.database import DiskFullError

from .corpus import BREAD_TEXT, CAR_TEXT

TOPICS = [
    "The violin section tuned their instruments before the symphony began.",
    "Glaciers carve deep valleys as they move slowly down the mountain.",
    "The striker scored twice in the second half of the football match.",
    "Compound interest makes savings grow faster over many years.",
    "Honey bees dance to tell the hive where the flowers are.",
    "The court ruled that the contract was void from the start.",
]


def _notes(root: Path, n: int) -> Path:
    """``n`` small distinct files (one passage each) plus the car and bread notes."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "bread.md").write_text(BREAD_TEXT)
    for i in range(n):
        (root / f"note{i:03d}.txt").write_text(f"Note {i}. {TOPICS[i % len(TOPICS)]} Entry {i}.")
    return root


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop_search.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def _one_line_error(result, *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    progress = ("scanning…", "saving…", "[")  # the progress bar, on lines of its own
    lines = [line for line in lines if not line.startswith(progress)]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# -- a damaged database -------------------------------------------------------------------


def _vector_leaf(db: Path) -> int:
    """A leaf page of the vectors table, from the middle of it (SQLite's dbstat table)."""
    conn = sqlite3.connect(db)
    try:
        pages = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'vectors' AND pagetype = 'leaf' ORDER BY pageno"
        ).fetchall()
    finally:
        conn.close()
    return pages[len(pages) // 2][0]


@pytest.mark.slow  # CLI runs in child processes, each loading the model
@pytest.mark.parametrize("where", ["page2", "vectors"])
def test_damaged_index_says_so_and_repair_salvages_the_vectors(tmp_path, encoder, where):
    root = _notes(tmp_path / "docs", 40)
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        total = engine.sync().passages_embedded
    db = data / "index.db"
    offset = 4096 if where == "page2" else _vector_leaf(db) * 4096 - 4096
    with open(db, "r+b") as fh:  # 8 KB of zeros, as a failing disk leaves them
        fh.seek(offset)
        fh.write(b"\0" * 8192)

    status = _cli("status", "--data-dir", str(data))
    _one_line_error(status, "damaged", "desktop-search repair")
    for args in (["search", "automobile maintenance"], ["index", str(root)]):
        run = _cli(*args, "--data-dir", str(data))
        assert "Traceback" not in run.stderr  # it works, or it says the same one line
        if run.returncode:
            _one_line_error(run, "damaged", "desktop-search repair")

    repaired = _cli("repair", "--data-dir", str(data), "--json")
    assert repaired.returncode == 0, repaired.stderr
    report = json.loads(repaired.stdout)
    salvaged, embedded = report["vectors_salvaged"], report["sync"]["passages_embedded"]
    assert salvaged + embedded == total  # every passage has its vector again
    assert salvaged >= total * 0.6, report  # most were read back, not embedded again
    assert report["roots"] == [str(root)]
    assert report["sync"]["files_added"] == 42
    assert Path(report["damaged_copy"]).exists()  # kept, not deleted
    assert _integrity(db) == "ok"
    with Engine(data, encoder=encoder, writer=False) as engine:
        assert Path(engine.search("automobile maintenance", k=1)[0].path).name == "car.txt"
    assert _cli("status", "--data-dir", str(data)).returncode == 0
    again = CliRunner().invoke(cli, ["repair", "--data-dir", str(data)])
    assert again.exit_code == 0 and "not damaged" in again.output


# -- a full disk --------------------------------------------------------------------------


def _page_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()


def test_full_disk_stops_with_a_count_and_a_rerun_carries_on(tmp_path, encoder):
    root = _notes(tmp_path / "docs", 3)
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        engine.sync()
    _notes(tmp_path / "more", 150)
    limit = _page_count(data / "index.db") + 12
    with Engine(data, encoder=encoder) as engine:
        engine.store.conn.execute(f"PRAGMA max_page_count = {limit}")
        engine.indexer.add_root(str(tmp_path / "more"))
        with pytest.raises(DiskFullError) as err:
            engine.sync()
        done = err.value.files_done
        assert 0 < done < 152
        assert str(err.value) == f"disk full after {done} files; free space and run again"
        engine.store.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        report = engine.sync()
        assert report.files_added == 152 - done and report.files_failed == 0
        assert engine.store.counts()["files"] == 157
    assert _integrity(data / "index.db") == "ok"


@pytest.mark.slow  # CLI runs in child processes, each loading the model
def test_full_disk_on_the_command_line_is_one_line_and_exit_1(tmp_path, encoder):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(_notes(tmp_path / "docs", 3)))
        engine.sync()
    more = _notes(tmp_path / "more", 150)
    limit = str(_page_count(data / "index.db") + 12)
    full = _cli(
        "index", str(more), "--data-dir", str(data), env={"DESKTOP_SEARCH_MAX_PAGES": limit}
    )
    err = [line for line in full.stderr.splitlines() if line.strip()][-1]
    assert full.returncode == 1 and "Traceback" not in full.stderr
    assert err.startswith("Error: disk full after ") and err.endswith("free space and run again")
    rerun = _cli("index", str(more), "--data-dir", str(data), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["files_failed"] == 0
    assert _integrity(data / "index.db") == "ok"


# -- file names that are not UTF-8 ----------------------------------------------------------


def test_file_names_that_are_not_utf8_are_indexed_shown_and_openable(tmp_path, encoder):
    root = tmp_path / "archive"
    root.mkdir()
    raw_root = os.fsencode(root)
    bad = raw_root + b"/bad\xff-name.txt"  # Latin-1 names from an old archive
    folder = raw_root + b"/Caf\xe9"
    os.mkdir(folder)
    with open(bad, "wb") as fh:
        fh.write(CAR_TEXT.encode())
    with open(folder + b"/recette.md", "wb") as fh:
        fh.write(BREAD_TEXT.encode())
    (root / "zz-after.txt").write_text(TOPICS[0])  # walked after the odd names
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        report = engine.sync()
        assert (report.files_added, report.files_failed) == (3, 0), report.errors
        car = engine.search("automobile maintenance", k=1)[0]
        assert os.fsencode(car.path) == bad  # lossless: the exact bytes come back
        with open(car.path, "rb") as fh:  # and the path opens
            assert fh.read() == CAR_TEXT.encode()
        bread = engine.search("sourdough loaf", k=1, mode="keyword")[0]
        assert os.fsencode(bread.path) == folder + b"/recette.md"
        assert engine.sync().files_unchanged == 3  # found again by its stored path
        assert engine.indexer.forget(os.fsdecode(folder)) == 1
    shown = CliRunner().invoke(cli, ["search", "automobile maintenance", "--data-dir", str(data)])
    assert shown.exit_code == 0
    assert "bad\\xff-name.txt" in shown.output.splitlines()[0]
    as_json = CliRunner().invoke(
        cli, ["search", "automobile maintenance", "--data-dir", str(data), "--json"]
    )
    assert os.fsencode(json.loads(as_json.output)["results"][0]["path"]) == bad
    forget = CliRunner().invoke(cli, ["forget", os.fsdecode(bad), "--data-dir", str(data)])
    assert forget.exit_code == 0 and "bad\\xff-name.txt (1 passages)" in forget.output


def test_a_file_name_with_a_newline_stays_on_its_result_line(tmp_path, encoder):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "two\nlines.txt").write_text(CAR_TEXT)
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        engine.sync()
    out = CliRunner().invoke(cli, ["search", "automobile maintenance", "--data-dir", str(data)])
    first = out.output.splitlines()[0]
    assert first.startswith("1. ") and first.split("  (")[0].endswith("two\\nlines.txt")


# -- usage errors ---------------------------------------------------------------------------


def test_usage_errors_and_an_empty_data_folder(tmp_path, encoder):
    empty = tmp_path / "empty"
    empty.mkdir()
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "   ", "--data-dir", str(empty)])
    assert result.exit_code == 2 and "empty" in result.output
    status = runner.invoke(cli, ["status", "--data-dir", str(empty)])
    assert status.exit_code == 0 and status.output.strip() == f"no index yet in {empty}"
    search = runner.invoke(cli, ["search", "cars", "--data-dir", str(empty)])
    assert search.exit_code == 1 and "no index yet" in search.output
    missing = runner.invoke(cli, ["search", "cars", "--data-dir", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index yet" in missing.output
    repair = runner.invoke(cli, ["repair", "--data-dir", str(empty)])
    assert repair.exit_code == 1 and "no index yet" in repair.output
    assert list(empty.iterdir()) == [] and not (tmp_path / "none").exists()

    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(_notes(tmp_path / "docs", 1)))
        engine.sync()
    never = runner.invoke(cli, ["forget", str(tmp_path / "elsewhere"), "--data-dir", str(data)])
    assert never.exit_code == 1 and "is not indexed" in never.output
    ok = runner.invoke(cli, ["forget", str(tmp_path / "docs"), "--data-dir", str(data)])
    assert ok.exit_code == 0 and "(3 passages)" in ok.output


# -- a data folder the user cannot write to -------------------------------------------------

NOBODY = 65534


@pytest.fixture
def open_tmp():
    """A temp folder 'nobody' may enter (pytest's own is private to the user running it)."""
    path = Path(tempfile.mkdtemp(prefix="ds-ro-"))
    path.chmod(0o755)
    yield path
    for sub in path.rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(0o755)
    shutil.rmtree(path)


def _as_nobody(fn):
    """``fn()`` without root's right to override mode bits: in a forked child that became
    'nobody' when the tests run as root (the interpreter under /root is not nobody's to
    start, so the child is forked, not spawned). Returns what ``fn`` returned (JSON)."""
    if os.geteuid() != 0:
        return fn()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            out = json.dumps(fn())
        except BaseException as exc:  # noqa: BLE001 - report it, never let the child run on
            out, code = json.dumps({"child failed": repr(exc)}), 1
        os.write(write_end, out.encode())
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        result = json.loads(fh.read().decode())
    os.waitpid(pid, 0)
    return result


def _invoke(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args))
    return {"code": result.exit_code, "out": result.stdout, "err": result.stderr}


def _tree(path: Path, dir_mode: int, file_mode: int, owner: int | None = None) -> None:
    for sub in [path, *path.rglob("*")]:
        if owner is not None:
            os.chown(sub, owner, owner)
        sub.chmod(dir_mode if sub.is_dir() else file_mode)


@pytest.mark.parametrize("case", ["not owned", "set read-only"])
def test_a_data_folder_that_cannot_be_written_still_searches(open_tmp, encoder, case):
    if case == "not owned" and os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    root = _notes(open_tmp / "docs", 2)
    data = open_tmp / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        engine.sync()
    (data / "writer.lock").unlink()
    if case == "not owned":  # another user's index, readable by all
        _tree(data, 0o755, 0o644)
    else:  # the user's own index, made read-only on purpose
        _tree(data, 0o500, 0o400, owner=NOBODY if os.geteuid() == 0 else None)
    before = {str(p): p.stat().st_mode for p in [data, *data.rglob("*")]}

    def use_it() -> dict:
        with Engine(data, encoder=encoder, writer=False) as engine:
            hits = engine.search("brake pads engine oil", k=1, mode="keyword")
        return {
            "status": _invoke("status", "--data-dir", str(data), "--json"),
            "hit": Path(hits[0].path).name,
            "index": _invoke("index", str(root), "--data-dir", str(data)),
            "modes": {str(p): p.stat().st_mode for p in [data, *data.rglob("*")]},
        }

    seen = _as_nobody(use_it)
    assert seen["status"]["code"] == 0, seen
    assert json.loads(seen["status"]["out"])["files"] == 4
    assert seen["hit"] == "car.txt"
    index = seen["index"]
    assert index["code"] == 1 and index["out"] == "" and "Traceback" not in index["err"]
    assert index["err"].count("\n") == 1
    assert "cannot write to the data folder" in index["err"]
    assert "read-only or owned by another user" in index["err"]
    assert seen["modes"] == before  # nothing was chmodded
    assert not (data / "desktop-search.log.1").exists()


def test_an_unreadable_subfolder_is_listed_in_status(open_tmp, encoder):
    root = _notes(open_tmp / "docs", 1)
    secret = root / "private"
    secret.mkdir()
    (secret / "diary.txt").write_text(TOPICS[1])
    data = open_tmp / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(root))
        assert engine.sync().files_added == 4
    owner = NOBODY if os.geteuid() == 0 else None
    _tree(data, 0o700, 0o600, owner=owner)
    _tree(root, 0o755, 0o644, owner=owner)
    secret.chmod(0)

    def sync_then_status() -> dict:  # nothing changed on disk, so nothing is embedded
        with Engine(data, encoder=encoder) as engine:
            report = engine.sync()
        return {"report": report.as_json(), "status": _invoke("status", "--data-dir", str(data))}

    seen = _as_nobody(sync_then_status)
    problem = {"path": str(secret), "error": "cannot read folder: Permission denied"}
    assert seen["report"]["errors"] == [problem], seen
    assert seen["report"]["files_removed"] == 0  # what was indexed in it is kept
    assert f"  ! {secret}: cannot read folder: Permission denied" in seen["status"]["out"]
    secret.chmod(0o755)
    with Engine(data, encoder=encoder) as engine:
        assert engine.sync().errors == []
        assert engine.store.problems() == []
        assert engine.store.counts()["files"] == 4


# -- queries that are not valid UTF-8 -------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_query_that_is_not_utf8_is_cleaned_at_the_engines_door(tmp_path, encoder, mode):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.indexer.add_root(str(_notes(tmp_path / "docs", 2)))
        engine.sync()
        for query in ("\ud800brake pads", "brake pads \udcff", "sourdough \udcc3\udca9"):
            assert engine.search(query, k=1, mode=mode), (query, mode)
        assert Path(engine.search("\ud800brake pads", k=1, mode=mode)[0].path).name == "car.txt"
        assert engine.search("\ud800", k=1, mode=mode) == []  # nothing left to look for
    # a shell passes undecodable bytes as surrogates; the CLI goes through the same door
    cafe = CliRunner().invoke(
        cli, ["search", "caf\udce9 brake", "--mode", mode, "--data-dir", str(data)]
    )
    assert cafe.exit_code == 0, cafe.output


def test_error_texts_carry_no_memory_address():
    from pypdf import PdfWriter
    from pypdf.generic import IndirectObject

    ref = IndirectObject(4, 0, PdfWriter())  # prints as IndirectObject(4, 0, 1403920…)
    assert str(id(ref.pdf)) in repr(ref)
    message = plain_error(f"page 2: TypeError: {ref!r} is not a dictionary")
    assert message == "page 2: TypeError: IndirectObject(4, 0) is not a dictionary"
    assert plain_error("<Font object at 0x7f3a5c2b1e80>") == "<Font object>"


@pytest.mark.slow  # CLI runs in child processes, each loading the model
@pytest.mark.parametrize("point", ["read", "save"])
def test_an_unexpected_error_fails_only_its_own_file(tmp_path, point):
    root = _notes(tmp_path / "docs", 3)
    run = _cli(
        "index",
        str(root),
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
        env={"DESKTOP_SEARCH_FAILPOINT": f"{point}:note001"},
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["files_added"], report["files_failed"]) == (4, 1)
    assert report["errors"] == [
        {
            "path": str(root / "note001.txt"),
            "error": f"internal error: RuntimeError: injected failure at {point}",
        }
    ]
