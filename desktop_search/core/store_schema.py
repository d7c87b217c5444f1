"""The index's tables, created once per database.

Kept apart from ``Store`` so the layout of the database reads in one place: roots, files,
passages with their FTS5 twin (kept in step by triggers), vectors keyed by (model, text
hash), and ``meta``, written last so that its presence means the schema is complete.
"""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 1


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
            tokenize="porter unicode61 remove_diacritics 2",
        )
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["meta"].insert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "generation", "value": "0"},
        ],
        replace=True,
    )
