"""``DuplicateFinder``: the scan over a Store and the live index, and ``file_text``."""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from desktop_search.core.store.ann import ANNIndex
from desktop_search.core.store.catalog import Store
from desktop_search.core.store.database import db_text
from desktop_search.core.store.sqlpaths import under, under_args

from .cache import IgnoreList, PairCache, VerdictCache
from .constants import DEFAULT_K, DEFAULT_MIN_CONTAINMENT, DEFAULT_THRESHOLD, LEVELS, MAX_K
from .filelevel import file_groups
from .kinds import merge_passages
from .pairs import (
    Pairs,
    PassageTable,
    Progress,
    ScanCancelled,
    _in_sorted,
    apply_same_file_rule,
    near_duplicate_pairs,
)
from .passagelevel import passage_groups
from .report import Group, Report, rank_groups


class DuplicateFinder:
    """Scans one data directory: metadata from the store, neighbours from the live index.

    Use from one thread at a time (it owns no connection of its own: pass a store made in
    that thread). ``index`` is the engine's ``VectorSet.index`` (or any ANNIndex).
    """

    def __init__(
        self,
        store: Store,
        index: ANNIndex,
        model_id: str,
        *,
        k: int = DEFAULT_K,
        max_k: int = MAX_K,
        ef: int | None = None,
        threads: int | None = None,
        use_cache: bool = True,
    ) -> None:
        self.store = store
        self.index = index
        self.model_id = model_id
        self.k, self.max_k, self.ef, self.threads = k, max_k, ef, threads
        self.ignore = IgnoreList(store)
        self.cache = PairCache(store, model_id) if use_cache else None
        self.verdicts = VerdictCache(store, model_id) if use_cache else None
        self.last_scan: dict = {}

    @classmethod
    def for_engine(cls, engine, **kw) -> DuplicateFinder:
        """A finder over an ``Engine``'s store and live index (brought level with SQLite first)."""
        if engine.store.generation() != engine.vectors.generation:
            engine.vectors.catch_up(engine.store)
        return cls(engine.store, engine.vectors.index, engine.encoder.model_id, **kw)

    # -- loading ---------------------------------------------------------------------

    def load_table(self) -> PassageTable:
        rows = self.store.conn.execute(
            'SELECT p.id, p.file_id, p.ord, p.start, p."end", coalesce(h.first_id, p.file_id)'
            " FROM passages p JOIN files f ON f.id = p.file_id"
            " LEFT JOIN (SELECT hash, min(id) AS first_id FROM files WHERE hash IS NOT NULL GROUP BY hash) h"
            " ON h.hash = f.hash ORDER BY p.id"
        ).fetchall()
        if not rows:
            z = np.empty(0, np.int64)
            return PassageTable(z, z, z, z, z)
        arr = np.array(rows, dtype=np.int64)
        return PassageTable(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], arr[:, 5])

    def file_ids_under(self, folder: str | None) -> np.ndarray | None:
        if not folder:
            return None
        folder = os.path.abspath(os.path.expanduser(folder))
        rows = self.store.conn.execute(
            f"SELECT id FROM files WHERE {under()}", under_args(folder)
        ).fetchall()
        return np.array(sorted(r[0] for r in rows), dtype=np.int64)

    def _vectors(self, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        return self.store.passage_vectors(self.model_id, None if ids is None else ids.tolist())

    # -- passage pairs -------------------------------------------------------------------

    def passage_pairs(
        self,
        threshold: float,
        *,
        folder: str | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        table: PassageTable | None = None,
    ) -> Pairs:
        """All near-duplicate passage pairs >= threshold (within ``folder`` when given)."""
        table = table if table is not None else self.load_table()
        in_folder = self.file_ids_under(folder)
        cached = self._cached(threshold)
        if (
            cached is None
            and in_folder is not None
            and len(in_folder) < len(np.unique(table.file_ids))
        ):
            # A folder scan without a full cache: query only the folder's passages.
            mine = table.ids[_in_sorted(table.file_ids, in_folder)]
            pairs, _ = self._query(mine, threshold, table, progress, cancel, candidates=mine)
        else:
            pairs = self._all_pairs(threshold, table, cached, progress, cancel)
        pairs = pairs.above(threshold)
        pairs = self._add_exact_text_pairs(pairs, table, in_folder)
        if in_folder is not None:
            fa = table.file_ids[table.positions(pairs.a)[0]]
            fb = table.file_ids[table.positions(pairs.b)[0]]
            pairs = pairs.select(_in_sorted(fa, in_folder) & _in_sorted(fb, in_folder))
        return pairs

    def _query(
        self,
        passage_ids: np.ndarray | None,
        threshold: float,
        table: PassageTable,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        candidates: np.ndarray | None = None,
    ) -> tuple[Pairs, int]:
        """(pairs of these passages, all when None, with their neighbours; how many were
        queried), with this finder's k-NN settings."""
        ids, vecs = self._vectors(passage_ids)
        pairs = near_duplicate_pairs(
            ids,
            vecs,
            self.index,
            threshold,
            self.k,
            max_k=self.max_k,
            ef=self.ef,
            threads=self.threads,
            table=table,
            candidates=candidates,
            progress=progress,
            cancel=cancel,
        )
        return pairs, int(len(ids))

    def _cached(self, threshold: float) -> tuple[Pairs, int] | None:
        got = self.cache.get(threshold) if self.cache is not None else None
        if got is None:
            return None
        a, b, score, max_id = got
        return Pairs(a, b, score), max_id

    def _all_pairs(self, threshold, table, cached, progress, cancel) -> Pairs:
        if cached is not None:
            old_pairs, max_id = cached
            live = table.ids
            still = _in_sorted(old_pairs.a, live) & _in_sorted(old_pairs.b, live)
            changed = not bool(still.all())
            old_pairs = old_pairs.select(still)
            new_ids = live[live > max_id]
            if len(new_ids):  # only passages added since the cached scan are queried
                fresh, _ = self._query(new_ids, self.cache.threshold, table, progress, cancel)
                old_pairs = Pairs.concat([old_pairs, fresh])
                changed = True
            if changed:
                self.cache.put(
                    old_pairs.a,
                    old_pairs.b,
                    old_pairs.score,
                    self.cache.threshold,
                    max(max_id, int(live.max()) if len(live) else 0),
                )
            self.last_scan = {"incremental": True, "queried": int(len(new_ids))}
            return old_pairs
        if progress:
            progress(0, len(table), "loading vectors")
        pairs, queried = self._query(None, threshold, table, progress, cancel)
        self.last_scan = {"incremental": False, "queried": queried}
        if self.cache is not None:
            top = int(table.ids.max()) if len(table) else 0
            self.cache.put(pairs.a, pairs.b, pairs.score, threshold, top)
        return pairs

    def _add_exact_text_pairs(self, pairs: Pairs, table: PassageTable, in_folder) -> Pairs:
        """Passages with the same text are pairs (score 1.0) even if the index missed them."""
        rows = self.store.conn.execute(
            "SELECT text_hash, group_concat(id) FROM passages GROUP BY text_hash HAVING count(*) > 1"
        ).fetchall()
        a, b = [], []
        for _, ids in rows:
            members = sorted(int(x) for x in ids.split(","))
            if len(members) > 64:  # a star is enough to keep them together
                a += [members[0]] * (len(members) - 1)
                b += members[1:]
            else:
                for i, x in enumerate(members):
                    a += [x] * (len(members) - i - 1)
                    b += members[i + 1 :]
        if not a:
            return pairs
        exact = apply_same_file_rule(Pairs.of(a, b, np.ones(len(a), np.float32)), table)
        return Pairs.concat([pairs, exact])

    # -- ignore list ---------------------------------------------------------------------

    def _drop_ignored_passages(self, pairs: Pairs, table: PassageTable) -> Pairs:
        ign = self.ignore.load()
        if not len(pairs) or not (ign.files or ign.passage_pairs):
            return pairs
        ids = np.union1d(pairs.a, pairs.b)
        meta = self._passage_meta(ids)
        keep = np.ones(len(pairs), dtype=bool)
        for i, (x, y) in enumerate(zip(pairs.a.tolist(), pairs.b.tolist())):
            mx, my = meta.get(x), meta.get(y)
            if mx is None or my is None:
                keep[i] = False
                continue
            if (
                mx[0] in ign.files
                or my[0] in ign.files
                or tuple(sorted((mx[1], my[1]))) in ign.passage_pairs
            ):
                keep[i] = False
        return pairs.select(keep)

    def _passage_meta(self, ids: np.ndarray) -> dict[int, tuple[str, str]]:
        out: dict[int, tuple[str, str]] = {}
        ids = ids.tolist()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = (
                "SELECT p.id, f.path, p.text_hash FROM passages p JOIN files f ON f.id = p.file_id"
                f" WHERE p.id IN ({','.join('?' * len(part))})"
            )
            for pid, path, th in self.store.conn.execute(q, part):
                out[pid] = (path, th)
        return out

    # -- reports ---------------------------------------------------------------------------

    def scan(
        self,
        level: str = "passage",
        threshold: float = DEFAULT_THRESHOLD,
        *,
        folder: str | None = None,
        min_containment: float = DEFAULT_MIN_CONTAINMENT,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Report:
        """The full report at ``level`` ("passage" or "file")."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")
        t0 = time.perf_counter()
        table = self.load_table()
        pairs = self.passage_pairs(
            threshold, folder=folder, progress=progress, cancel=cancel, table=table
        )
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        if progress:
            progress(len(table), len(table), "grouping")
        if level == "passage":
            groups = self._passage_groups(pairs, table, progress, cancel)
        else:
            groups = self._file_groups(
                pairs,
                table,
                min_containment,
                self.file_ids_under(folder),
                progress=progress,
                cancel=cancel,
                threshold=threshold,
            )
        stats = {
            "passages": len(table),
            "pairs": len(pairs),
            "seconds": round(time.perf_counter() - t0, 3),
        }
        return Report(level, float(threshold), rank_groups(groups), stats)

    def check_file(
        self,
        path: str,
        level: str = "file",
        threshold: float = DEFAULT_THRESHOLD,
        *,
        min_containment: float = DEFAULT_MIN_CONTAINMENT,
    ) -> Report:
        """One (new) file against everything indexed, without a full scan."""
        path = os.path.abspath(os.path.expanduser(path))
        row = self.store.file(path)
        if row is None:
            raise FileNotFoundError(f"not indexed: {path}")
        table = self.load_table()
        mine = table.ids[table.file_ids == row.id]
        pairs, _ = self._query(mine, threshold, table)
        if level == "passage":
            groups = self._passage_groups(pairs, table)
        else:
            groups = self._file_groups(
                pairs, table, min_containment, None, only_file=row.id, threshold=threshold
            )
        return Report(level, float(threshold), rank_groups(groups), {"pairs": len(pairs)})

    def _passage_groups(
        self,
        pairs: Pairs,
        table: PassageTable,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Group]:
        pairs = self._drop_ignored_passages(pairs, table)
        return passage_groups(self.store, pairs, table, progress, cancel)

    def _file_groups(
        self,
        pairs: Pairs,
        table: PassageTable,
        min_containment: float,
        in_folder: np.ndarray | None,
        only_file: int | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        threshold: float,
    ) -> list[Group]:
        return file_groups(
            self.store,
            pairs,
            table,
            self.ignore.load(),
            min_share=min_containment,
            model_id=self.model_id,
            verdicts=self.verdicts,
            threshold=threshold,
            stats=self.last_scan,
            in_folder=in_folder,
            only_file=only_file,
            progress=progress,
            cancel=cancel,
        )


def file_text(store: Store, path: str) -> str:
    """A file's indexed text, rebuilt from its passages (overlaps merged by character offset)."""
    rows = store.conn.execute(
        'SELECT p.text, p.start, p."end" FROM passages p JOIN files f ON f.id = p.file_id'
        " WHERE f.path = CAST(? AS TEXT) ORDER BY p.ord",
        (db_text(path),),
    ).fetchall()
    return merge_passages(rows)
