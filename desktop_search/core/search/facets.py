"""What the search filters can offer: the file types the index holds, with counts, and the
folders that hold indexed files (so that a person can pick a subfolder, not only a root).

One pass over the indexed paths: at 100k files it reads them in tens of milliseconds, so it
runs when the app asks (after the index changed), never per query.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from desktop_search.core.store.catalog import Store


@dataclass
class Facets:
    types: dict[str, int] = field(default_factory=dict)  # ".pdf" -> indexed files
    folders: list[str] = field(default_factory=list)  # sorted; roots and every folder below
    # them that holds indexed files, with the folders between


_PATHS = "SELECT CAST(path AS BLOB), kind = 'email' FROM files WHERE state = 'ok'"


def read_facets(store: Store) -> Facets:
    """The indexed (state 'ok') files' suffixes and folders.

    Paths are read as bytes (no text decoding per row: at 100k files that was most of the
    time); only the distinct folders are decoded, as ``os.fsdecode`` would."""
    roots = {r["path"].rstrip(os.sep) or os.sep for r in store.roots()}
    sep = os.sep.encode()
    rows = store.conn.execute(_PATHS).fetchall()
    paths = [p for p, _ in rows]
    dirs = {p[: p.rfind(sep)] or sep for p in paths}
    names = [p[p.rfind(sep) + 1 :] for p in paths]
    types = Counter(
        b".eml" if mail else n[n.rfind(b".") :].lower() if n.rfind(b".") > 0 else b""
        for n, (_, mail) in zip(names, rows)
    )  # a Maildir message has no suffix: it counts as an e-mail
    folders = set(roots)
    for d in map(os.fsdecode, dirs):
        while d not in folders:  # up to a root, or to a folder already known
            folders.add(d)
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return Facets({os.fsdecode(t): n for t, n in types.most_common()}, sorted(folders))
