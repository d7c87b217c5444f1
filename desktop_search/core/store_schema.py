"""The index's tables, created once per database.

Kept apart from ``Store`` so the layout of the database reads in one place: roots, files,
passages with their FTS5 twin (kept in step by triggers), the keyword leg's blocks (see
``create_blocks``), vectors keyed by (model, text hash), and ``meta``, written last so that
its presence means the schema is complete.
"""

from __future__ import annotations

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
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, text_hash TEXT NOT NULL)"""
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
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["meta"].insert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "generation", "value": "0"},
        ],
        replace=True,
    )


BLOCKS = "blocks_fts"
_BLOCK_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS blocks_ai AFTER INSERT ON passages BEGIN
  DELETE FROM {BLOCKS} WHERE rowid = (SELECT id FROM passages prev WHERE prev.file_id = new.file_id
    AND prev.ord = new.ord - 1 AND prev.page IS new.page);
  INSERT INTO {BLOCKS}(rowid, text)
    SELECT prev.id, prev.text || ' ' || substr(new.text, max(0, prev."end" - new.start) + 1)
    FROM passages prev
    WHERE prev.file_id = new.file_id AND prev.ord = new.ord - 1 AND prev.page IS new.page;
  INSERT INTO {BLOCKS}(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS blocks_ad AFTER DELETE ON passages BEGIN
  DELETE FROM {BLOCKS} WHERE rowid = old.id;
END;
"""


def create_blocks(db: sqlite_utils.Database) -> None:
    """The keyword leg's FTS5 table: each passage joined with the new text of the next one
    on its page, under the first passage's id (the last passage of a page stands alone).

    Passages are cut small (128 tokens) for the encoder, but bm25 over units that small
    ranked worse: a question's words are spread over a few sentences, and a short unit
    holds fewer of them. Ranking blocks of two neighbours (about the anchor's 150-word
    windows) raised keyword MRR@10 by 0.04-0.07 on the question benchmark. Triggers keep
    the blocks in step with ``passages``; an index made before blocks existed gets them
    the first time a writer opens it (``Store``), and readers use the passages until then.
    """
    if BLOCKS in db.table_names():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if BLOCKS in db.table_names():  # another writer made them while we waited
            db.execute("ROLLBACK")
            return
        db.execute(f"CREATE VIRTUAL TABLE {BLOCKS} USING fts5(text, tokenize='{TOKENIZE}')")
        db.execute(
            f"""INSERT INTO {BLOCKS}(rowid, text)
            SELECT id, CASE WHEN next_ord = ord + 1 AND next_page IS page
                THEN text || ' ' || substr(next_text, max(0, "end" - next_start) + 1)
                ELSE text END
            FROM (SELECT id, ord, page, text, "end",
                    lead(ord) OVER w AS next_ord, lead(page) OVER w AS next_page,
                    lead(text) OVER w AS next_text, lead(start) OVER w AS next_start
                  FROM passages WINDOW w AS (PARTITION BY file_id ORDER BY ord))"""
        )
        for statement in _BLOCK_TRIGGERS.split("END;"):
            if statement.strip():
                db.execute(statement + "END;")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
