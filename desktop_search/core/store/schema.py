"""The index's tables, created once per database.

Kept apart from ``Store`` so the layout of the database reads in one place: roots, files,
passages with their FTS5 twin (kept in step by triggers), the keyword leg's blocks (see
``create_blocks``), vectors keyed by (model, text hash), and ``meta``, written last so that
its presence means the schema is complete.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import sqlite_utils

SCHEMA_VERSION = 1
TOKENIZE = "porter unicode61 remove_diacritics 2"
"""FTS5's tokenizer for passages and blocks alike: the same words must match in both."""


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every table and index that is missing; ``meta`` last."""
    db["roots"].create(
        {"id": int, "path": str, "include": str, "exclude": str, "added_at": float},
        pk="id",
        if_not_exists=True,
    )
    db["roots"].create_index(["path"], unique=True, if_not_exists=True)
    db["files"].create(
        {
            "id": int,
            "path": str,
            "root_id": int,
            "size": int,
            "mtime_ns": int,
            "hash": str,
            "kind": str,
            "state": str,
            "error": str,
            "n_passages": int,
            "indexed_at": float,
        },
        pk="id",
        if_not_exists=True,
    )
    db["files"].create_index(["path"], unique=True, if_not_exists=True)
    db["files"].create_index(["hash"], if_not_exists=True)
    db.execute(
        """CREATE TABLE IF NOT EXISTS passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL, text TEXT NOT NULL, page INTEGER,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, text_hash TEXT NOT NULL,
            span TEXT, label TEXT)"""
    )
    db["passages"].create_index(["file_id"], if_not_exists=True)
    db["passages"].create_index(["text_hash"], if_not_exists=True)
    db.execute(
        "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_hash TEXT NOT NULL,"
        " vec BLOB NOT NULL, PRIMARY KEY (model, text_hash)) WITHOUT ROWID"
    )
    if "passages_fts" not in db.table_names():
        db["passages"].enable_fts(
            ["text"],
            fts_version="FTS5",
            create_triggers=True,
            tokenize=TOKENIZE,
        )
    create_blocks(db)
    create_topic_tables(db)
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["meta"].insert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "generation", "value": "0"},
        ],
        replace=True,
    )


def span_columns(db: sqlite_utils.Database, readonly: bool) -> str:
    """The passages' span columns to select (``page`` is the span's number, see ``spans``).

    An index made before span kinds existed gets them here, the first time a writer opens
    it: two nullable columns, so adding them rewrites nothing, and its passages (all PDF
    pages or none) read as before. Read-only, such an index selects NULLs in their place.
    """
    have = {c.name for c in db["passages"].columns}
    if "span" not in have:
        if readonly:
            return "NULL, NULL"
        db.execute("BEGIN IMMEDIATE")
        try:
            if "span" not in {c.name for c in db["passages"].columns}:  # no writer beat us
                db.execute("ALTER TABLE passages ADD COLUMN span TEXT")
                db.execute("ALTER TABLE passages ADD COLUMN label TEXT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return "p.span, p.label"


BLOCKS = "blocks_fts"
_BLOCKS_FOLLOW_DELETES = f"""CREATE TRIGGER IF NOT EXISTS blocks_ad AFTER DELETE ON passages
BEGIN DELETE FROM {BLOCKS} WHERE rowid = old.id; END"""

PassageAt = tuple[int, int, int | None, int, int, str]
"""A passage as blocks need it: (id, ord, page, start, end, text)."""


def blocks(passages: Sequence[PassageAt]) -> Iterator[tuple[int, str]]:
    """(rowid, text) of the blocks of one file's passages, given in order: each passage
    joined with the new text of the next one on its page, under the first one's id."""
    for cur, nxt in zip(passages, [*passages[1:], None]):
        text = cur[5]
        if nxt is not None and nxt[1] == cur[1] + 1 and nxt[2] == cur[2]:
            text += " " + nxt[5][max(0, cur[4] - nxt[3]) :]
        yield cur[0], text


def create_blocks(db: sqlite_utils.Database) -> None:
    """The keyword leg's FTS5 table: each passage joined with the new text of the next one
    on its page, under the first passage's id (the last passage of a page stands alone).

    Passages are cut small (128 tokens) for the encoder, but bm25 over units that small
    ranked worse: a question's words are spread over a few sentences, and a short unit
    holds fewer of them. Ranking blocks of two neighbours (about the anchor's 150-word
    windows) raised keyword MRR@10 by 0.04-0.07 on the question benchmark. ``Store``
    writes a file's blocks with its passages, in the same transaction (a trigger that
    joined each new passage to its predecessor doubled the time to index the Python docs'
    text); a trigger drops them with their passages. An index made before blocks existed,
    or with that insert trigger, is brought level the first time a writer opens it, and
    readers use the passages until then.
    """
    if BLOCKS in db.table_names() and not _has_trigger(db, "blocks_ai"):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if _has_trigger(db, "blocks_ai"):  # the insert trigger of an older version
            db.execute("DROP TRIGGER blocks_ai")
        if BLOCKS not in db.table_names():  # another writer may have made them meanwhile
            db.execute(f"CREATE VIRTUAL TABLE {BLOCKS} USING fts5(text, tokenize='{TOKENIZE}')")
            rows = db.execute(
                'SELECT file_id, id, ord, page, start, "end", text FROM passages'
                " ORDER BY file_id, ord"
            )
            for _, group in itertools.groupby(rows, key=lambda r: r[0]):
                db.conn.executemany(
                    f"INSERT INTO {BLOCKS}(rowid, text) VALUES (?, ?)",
                    blocks([r[1:] for r in group]),
                )
        db.execute(_BLOCKS_FOLLOW_DELETES)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _has_trigger(db: sqlite_utils.Database, name: str) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]
        ).fetchone()
    )


TOPIC_TABLES = (
    """CREATE TABLE IF NOT EXISTS topics (id INTEGER PRIMARY KEY, parent INTEGER,
    label TEXT NOT NULL, files TEXT NOT NULL, centroid BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS file_topics (
    file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    topic INTEGER NOT NULL, sub INTEGER NOT NULL, x REAL NOT NULL, y REAL NOT NULL,
    sig TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS file_topics_topic ON file_topics(topic)",
    "CREATE INDEX IF NOT EXISTS file_topics_sub ON file_topics(sub)",
    """CREATE TABLE IF NOT EXISTS topic_space (id INTEGER PRIMARY KEY CHECK (id = 1),
    mean BLOB NOT NULL, axes BLOB NOT NULL, scale BLOB NOT NULL, generation INTEGER NOT NULL)""",
)
"""The topic map's cache (see ``topic_store``): topics, each file's place, the projection."""


def create_topic_tables(db: sqlite_utils.Database) -> None:
    for sql in TOPIC_TABLES:
        db.execute(sql)
