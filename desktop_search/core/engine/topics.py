"""The topic side of the Engine: ``update_topics`` (the indexing process, after phase 2)
and ``topics`` (any thread, from the map cached in the index; see ``topics``).

An update after a few changed files is incremental: changed and new files join the topic
(and sub-topic) whose centroid is nearest and are placed with the kept projection, removed
files leave; labels stay. When more than ``INCREMENTAL_SHARE`` of the files changed, or
there are no topics yet, everything is computed again.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from desktop_search.core.blas import one_blas_thread
from desktop_search.core.index.topics import build
from desktop_search.core.search.query import content_words
from desktop_search.core.store import topics as ts
from desktop_search.core.store.catalog import DB_NAME, Store
from desktop_search.core.store.database import damage_is_named

INCREMENTAL_SHARE = 0.2


@dataclass
class TopicInfo:
    id: int
    parent: int | None
    label: list[str]
    size: int
    central: list[str]  # paths of the most central files

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "parent": self.parent,
            "label": self.label,
            "size": self.size,
            "central": self.central,
        }


@dataclass
class MapPoint:
    path: str
    x: float
    y: float
    topic: int
    sub: int


class TopicsMixin:
    """The Engine's topic methods."""

    def update_topics(self, *, full: bool = False, k: int | None = None) -> dict:
        """Bring the cached topic map level with the index; returns what it did and how
        long it took ({"mode": "current" | "incremental" | "full", "seconds", "files"})."""
        self._need_writer("computing topics")
        t0 = time.perf_counter()
        store: Store = self.store
        with damage_is_named(self.data_dir / DB_NAME), one_blas_thread():
            fv = self._file_vectors(store)
            ids, x = fv.files()
            space, gen = ts.read_space(store), store.generation()
            if space is not None and space.generation == gen and not full and k is None:
                return {"mode": "current", "seconds": 0.0, "files": len(ids)}
            sigs = {int(f): fv.signature(int(f)) for f in ids}
            places = ts.read_places(store)
            changed = [f for f in sigs if f not in places or places[f][4] != sigs[f]]
            gone = [f for f in places if f not in sigs]
            small = len(changed) + len(gone) <= INCREMENTAL_SHARE * max(1, len(ids))
            if space is not None and small and not full and k is None:
                mode = "incremental"
                self._topics_incremental(store, ids, x, sigs, changed, gone, space, gen)
            else:
                mode = "full"
                self._topics_full(store, ids, x, sigs, gen, k)
        return {"mode": mode, "seconds": time.perf_counter() - t0, "files": len(ids)}

    def _topics_full(self, store, ids, x, sigs, gen, k) -> None:
        words = _words(store)
        tm = build(ids, x, words, k)
        mean, axes, scale = tm.projection
        space = ts.Space(mean, axes, scale, gen)
        xy = space.place(x) if len(ids) else np.zeros((0, 2))
        rows = [
            (int(f), int(t), int(s), float(p[0]), float(p[1]), sigs[int(f)])
            for f, t, s, p in zip(ids, tm.top, tm.sub, xy)
        ]
        topics = [
            {
                "id": t.id,
                "parent": t.parent,
                "label": t.label,
                "files": t.files,
                "centroid": t.centroid,
            }
            for t in tm.topics
        ]
        with store.write():
            store.conn.execute("DELETE FROM file_topics")
            ts.write_places(store, rows)
            ts.write_topics(store, topics)
            ts.write_space(store, space)

    def _topics_incremental(self, store, ids, x, sigs, changed, gone, space, gen) -> None:
        topics = ts.read_topics(store)
        top = [t for t in topics if t["parent"] is None]
        row_of = {int(f): n for n, f in enumerate(ids)}
        places = ts.read_places(store)
        rows = []
        for f in changed:
            v = x[row_of[f]]
            t = max(top, key=lambda t: float(v @ t["centroid"]))
            kids = [c for c in topics if c["parent"] == t["id"]]
            sub = max(kids, key=lambda c: float(v @ c["centroid"]))["id"] if kids else 0
            px, py = space.place(v[None, :])[0]
            rows.append((f, t["id"], sub, float(px), float(py), sigs[f]))
            places[f] = (t["id"], sub, float(px), float(py), sigs[f])
        for f in gone:
            places.pop(f, None)
        for t in topics:
            members = [f for f, p in places.items() if t["id"] in (p[0], p[1]) and f in row_of]
            central = x[[row_of[f] for f in members]] @ t["centroid"] if members else []
            t["files"] = [members[i] for i in np.argsort(-np.asarray(central), kind="stable")]
        space.generation = gen
        with store.write():
            ts.drop_places(store, gone)
            ts.write_places(store, rows)
            ts.write_topics(store, topics)
            ts.write_space(store, space)

    def topics(self, central: int = 5) -> list[TopicInfo]:
        """The cached topics (top level first, then sub-topics), largest first within each."""
        store = self._thread_store()
        with damage_is_named(self.data_dir / DB_NAME):
            found = ts.read_topics(store)
            ids = {f for t in found for f in t["files"][:central]}
            paths = _paths(store, ids)
        out = [
            TopicInfo(
                t["id"],
                t["parent"],
                t["label"],
                len(t["files"]),
                [paths[f] for f in t["files"][:central] if f in paths],
            )
            for t in found
        ]
        return sorted(out, key=lambda t: (t.parent is not None, t.parent or 0, -t.size, t.id))

    def topic_map(self) -> list[MapPoint]:
        """One point per file: its path, map coordinates, topic and sub-topic (0: none)."""
        store = self._thread_store()
        with damage_is_named(self.data_dir / DB_NAME):
            if not ts.has_topics(store):
                return []
            rows = store.conn.execute(
                "SELECT f.path, t.x, t.y, t.topic, t.sub FROM file_topics t"
                " JOIN files f ON f.id = t.file_id ORDER BY t.file_id"
            ).fetchall()
        return [MapPoint(*r) for r in rows]


def _words(store: Store) -> dict[int, Counter]:
    """Each file's content words, counted (the keyword leg's words; see ``topics``)."""
    out: dict[int, Counter] = {}
    for fid, text in store.conn.execute("SELECT file_id, text FROM passages"):
        c = out.get(fid)
        if c is None:
            c = out[fid] = Counter()
        c.update(w for w in content_words(text) if not w.isdigit())
    return out


def _paths(store: Store, ids) -> dict[int, str]:
    ids = list(ids)
    out = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        q = f"SELECT id, path FROM files WHERE id IN ({','.join('?' * len(part))})"
        out.update({r[0]: r[1] for r in store.conn.execute(q, part)})
    return out
