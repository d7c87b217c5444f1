"""The user's own library as training material: the files the index holds, read afresh."""

from __future__ import annotations

from collections.abc import Iterator

from desktop_search.core.extract.dispatch import ExtractionError, extract_file
from desktop_search.core.store.catalog import Store


def indexed_documents(store: Store) -> Iterator[tuple[str, str]]:
    """(path, text) of every indexed file; a file gone or unreadable since is skipped."""
    paths = [
        r[0] for r in store.conn.execute("SELECT path FROM files WHERE state = 'ok' ORDER BY path")
    ]
    for path in paths:
        try:
            yield path, extract_file(path).text
        except ExtractionError:
            continue
