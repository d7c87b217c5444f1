"""Recognised text, kept by the file's content hash and the OCR engine's name and version.

Recognition costs seconds a page, so its text is never thrown away with a file row: a
scan that is moved, renamed, copied or restored is read from here, and the engine never
runs on the same bytes twice. The connection is in autocommit mode: each row is its own
transaction. Each page is kept as soon as it is read, so a cancelled or
killed run resumes at the next page. A new engine version reads pages anew (its key
differs); the old rows stay until ``forget_unused`` drops them.
"""

from __future__ import annotations

import sqlite3

from desktop_search.core.extract.extracted import Extracted, join_spans

#: The label of a page whose text came from OCR: results say "recognised text".
RECOGNISED = "recognised text"


def ensure_table(conn: sqlite3.Connection) -> None:
    """The cache's tables (the writer creates them; nothing else writes here)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS ocr_pages (content_hash TEXT NOT NULL, engine TEXT NOT NULL,"
        " page INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (content_hash, engine, page))"
        " WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS ocr_files (content_hash TEXT NOT NULL, engine TEXT NOT NULL,"
        " pages INTEGER NOT NULL, PRIMARY KEY (content_hash, engine)) WITHOUT ROWID"
    )


def pages_done(conn: sqlite3.Connection, content_hash: str, engine: str) -> dict[int, str]:
    """The pages of these bytes already recognised by this engine: {page number: text}."""
    rows = conn.execute(
        "SELECT page, text FROM ocr_pages WHERE content_hash = ? AND engine = ?",
        (content_hash, engine),
    )
    return dict(rows.fetchall())


def put_page(
    conn: sqlite3.Connection, content_hash: str, engine: str, page: int, text: str
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ocr_pages VALUES (?, ?, ?, ?)", (content_hash, engine, page, text)
    )


def put_complete(conn: sqlite3.Connection, content_hash: str, engine: str, pages: int) -> None:
    conn.execute("INSERT OR REPLACE INTO ocr_files VALUES (?, ?, ?)", (content_hash, engine, pages))


def cached_document(
    conn: sqlite3.Connection, content_hash: str, engine: str, kind: str
) -> Extracted | None:
    """The whole recognised document, when every page of these bytes is cached."""
    row = conn.execute(
        "SELECT pages FROM ocr_files WHERE content_hash = ? AND engine = ?",
        (content_hash, engine),
    ).fetchone()
    if row is None:
        return None
    pages = pages_done(conn, content_hash, engine)
    if len(pages) < row[0]:
        return None
    return recognised_document(pages, kind)


def recognised_document(pages: dict[int, str], kind: str) -> Extracted:
    """Pages in order, one span each, labelled as recognised text."""
    return join_spans([(pages[n], n, "page", RECOGNISED) for n in sorted(pages)], kind)
