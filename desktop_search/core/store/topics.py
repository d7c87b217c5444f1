"""The topic map cached in the index: written by the indexing process, read by any.

Topics are keyed by file id, never by path: a rename or a move keeps a file's id, its
passages and so its topic and place on the map. ``file_topics`` rows go with their file
(``ON DELETE CASCADE``). Each row keeps the signature of the passages it was placed with
(``sig``), so the next update knows which files changed since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .catalog import Store


def has_topics(store: Store) -> bool:
    return bool(
        store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'topic_space'").fetchone()
    ) and bool(store.conn.execute("SELECT 1 FROM topic_space").fetchone())


@dataclass
class Space:
    """The map's projection, kept so a file added later is placed without a new PCA."""

    mean: np.ndarray
    axes: np.ndarray  # (2, dim)
    scale: np.ndarray  # (2,)
    generation: int

    def place(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) @ self.axes.T / self.scale).astype(np.float32)


def read_space(store: Store) -> Space | None:
    if not has_topics(store):
        return None
    mean, axes, scale, gen = store.conn.execute(
        "SELECT mean, axes, scale, generation FROM topic_space"
    ).fetchone()
    f = np.float32
    return Space(
        np.frombuffer(mean, f), np.frombuffer(axes, f).reshape(2, -1), np.frombuffer(scale, f), gen
    )


def write_space(store: Store, space: Space) -> None:
    store.conn.execute(
        "INSERT OR REPLACE INTO topic_space(id, mean, axes, scale, generation) VALUES (1,?,?,?,?)",
        [
            space.mean.astype(np.float32).tobytes(),
            space.axes.astype(np.float32).tobytes(),
            space.scale.astype(np.float32).tobytes(),
            space.generation,
        ],
    )


def read_topics(store: Store) -> list[dict]:
    """Every topic: id, parent, label words, member file ids (most central first), centroid."""
    if not has_topics(store):
        return []
    rows = store.conn.execute("SELECT id, parent, label, files, centroid FROM topics ORDER BY id")
    return [
        {
            "id": r[0],
            "parent": r[1],
            "label": json.loads(r[2]),
            "files": json.loads(r[3]),
            "centroid": np.frombuffer(r[4], np.float32),
        }
        for r in rows
    ]


def write_topics(store: Store, topics: list[dict]) -> None:
    store.conn.execute("DELETE FROM topics")
    store.conn.executemany(
        "INSERT INTO topics(id, parent, label, files, centroid) VALUES (?,?,?,?,?)",
        [
            (
                t["id"],
                t["parent"],
                json.dumps(t["label"]),
                json.dumps(t["files"]),
                np.asarray(t["centroid"], np.float32).tobytes(),
            )
            for t in topics
        ],
    )


def read_places(store: Store) -> dict[int, tuple[int, int, float, float, str]]:
    """file id -> (topic, sub-topic or 0, x, y, passage signature)."""
    if not has_topics(store):
        return {}
    rows = store.conn.execute("SELECT file_id, topic, sub, x, y, sig FROM file_topics")
    return {r[0]: tuple(r[1:]) for r in rows}


def write_places(store: Store, rows: list[tuple[int, int, int, float, float, str]]) -> None:
    store.conn.executemany(
        "INSERT OR REPLACE INTO file_topics(file_id, topic, sub, x, y, sig) VALUES (?,?,?,?,?,?)",
        rows,
    )


def drop_places(store: Store, file_ids: list[int]) -> None:
    store.conn.executemany("DELETE FROM file_topics WHERE file_id = ?", [(f,) for f in file_ids])
