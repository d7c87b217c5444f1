"""File-level groups: identical files, then candidate pairs judged by ``kinds.classify_files``.

Kept apart from ``finder`` because it is the one place that reads whole files' passages:
only files in a candidate pair are loaded, each once, and each file's words and shingles
are computed once however many pairs it is in.
"""

from __future__ import annotations

import threading

import numpy as np

from desktop_search.core.store.catalog import Store

from .cache import Ignored, VerdictCache
from .files import exact_file_groups, file_containment, identical_groups
from .kinds import RULES_VERSION, FileDoc, classify_files, verdict_from_json, verdict_json
from .pairs import Pairs, PassageTable, Progress, ScanCancelled, _in_sorted
from .report import Group, Member

#: A file pair is looked at when this share of either file has a near neighbour (cosine)
#: in the other. Low on purpose: chunks of a reordered copy start and end elsewhere, so
#: fewer of them pair up, and the word measures decide anyway.
CANDIDATE_SHARE = 0.2


def load_docs(store: Store, file_ids: list[int], model_id: str | None = None) -> dict[int, FileDoc]:
    """The passages of these files, as FileDocs (reading order), with their vectors for
    ``model_id`` when given."""
    rows: dict[int, list[tuple]] = {f: [] for f in file_ids}
    for i in range(0, len(file_ids), 500):
        part = file_ids[i : i + 500]
        q = (
            'SELECT file_id, id, text, start, "end", text_hash FROM passages'
            f" WHERE file_id IN ({','.join('?' * len(part))}) ORDER BY file_id, ord"
        )
        for fid, pid, text, start, end, th in store.conn.execute(q, part):
            rows[fid].append((pid, text, start or 0, end or 0, th))
    vectors: dict[str, np.ndarray] = {}
    if model_id is not None:  # by text hash: the vectors table's own key, one lookup each
        vectors = store.cached_vectors(model_id, [r[4] for rs in rows.values() for r in rs])
    docs = {}
    for fid, rs in rows.items():
        if rs:
            have = all(r[4] in vectors for r in rs)
            docs[fid] = FileDoc(
                fid,
                [r[0] for r in rs],
                [r[1] for r in rs],
                np.array([r[2] for r in rs], dtype=np.int64),
                np.array([r[3] for r in rs], dtype=np.int64),
                np.stack([vectors[r[4]] for r in rs]) if have else None,
            )
    return docs


def file_groups(
    store: Store,
    pairs: Pairs,
    table: PassageTable,
    ignored: Ignored,
    *,
    min_share: float,
    model_id: str | None = None,
    verdicts: VerdictCache | None = None,
    threshold: float = 0.0,
    stats: dict | None = None,
    in_folder: np.ndarray | None = None,
    only_file: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[Group]:
    """Identical files (by hash, O(N) per group), then near-duplicate file pairs by kind.

    With ``verdicts``, pairs of files judged before (same contents, same ``threshold`` and
    ``min_share``) are not judged again, and their files are not even loaded. ``stats``
    gets the number of file pairs judged and reused."""
    files = {
        r[0]: (r[1], r[2], r[3] or 0)
        for r in store.conn.execute("SELECT id, path, hash, size FROM files WHERE state = 'ok'")
    }

    def allowed(fid: int) -> bool:
        return (
            fid in files
            and files[fid][0] not in ignored.files
            and (in_folder is None or bool(_in_sorted(np.array([fid]), in_folder)[0]))
        )

    def ignored_pair(x: int, y: int) -> bool:
        return tuple(sorted((files[x][0], files[y][0]))) in ignored.file_pairs

    groups: list[Group] = []
    fids = [f for f in files if allowed(f)]
    rep: dict[int, int] = {}
    path_id = {files[f][0]: f for f in files}
    blocked = {
        (path_id[a], path_id[b]) for a, b in ignored.file_pairs if a in path_id and b in path_id
    }
    for same in exact_file_groups(fids, [files[f][1] for f in fids]):
        ids = same.tolist()  # sorted
        for f in ids:
            rep[f] = ids[0]  # one content: its copies pair like the first of them
        for g in identical_groups(ids, blocked):
            if only_file is not None and only_file not in g:
                continue
            if only_file is not None:
                g = [only_file, *[f for f in g if f != only_file]]
            size = files[g[0]][2]
            members = [Member(files[f][0], file_id=f, score=1.0) for f in g]
            groups.append(Group(1.0, members, "identical", {"shared": size * (len(g) - 1)}))

    if len(pairs):
        pa, _ = table.positions(pairs.a)
        pb, _ = table.positions(pairs.b)
        copies = np.array(sorted(f for f, r in rep.items() if f != r), dtype=np.int64)
        keep = ~(_in_sorted(table.file_ids[pa], copies) | _in_sorted(table.file_ids[pb], copies))
        pairs = pairs.select(keep)
    candidates = []
    for m in file_containment(pairs, table, CANDIDATE_SHARE):
        x, y = m.file_a, m.file_b
        if not (allowed(x) and allowed(y)) or ignored_pair(x, y):
            continue
        if only_file is not None and only_file not in (x, y):
            continue
        candidates.append((x, y))
    if not candidates:
        return groups
    wanted = {(min(x, y), max(x, y)) for x, y in candidates}
    links: dict[tuple[int, int], list[tuple[int, int, float]]] = {k: [] for k in wanted}
    pa, _ = table.positions(pairs.a)
    pb, _ = table.positions(pairs.b)
    for x, y, ida, idb, s in zip(
        table.file_ids[pa].tolist(),
        table.file_ids[pb].tolist(),
        pairs.a.tolist(),
        pairs.b.tolist(),
        pairs.score.tolist(),
    ):
        key = (x, y) if x < y else (y, x)
        if key in links:
            links[key].append((ida, idb, s) if x < y else (idb, ida, s))
    hash_of = {f: files[f][1] for k in wanted for f in k}

    def key(x: int, y: int) -> str | None:
        if verdicts is None or not (hash_of[x] and hash_of[y]):
            return None
        return verdicts.key(RULES_VERSION, threshold, min_share, hash_of[x], hash_of[y])

    keys = {(x, y): key(x, y) for x, y in candidates}
    known = verdicts.get_many([k for k in keys.values() if k]) if verdicts else {}
    todo = {f for (x, y), k in keys.items() if k not in known for f in (x, y)}
    docs = load_docs(store, sorted(todo), model_id)
    fresh: dict[str, str] = {}
    total = len(candidates)
    for done, (x, y) in enumerate(candidates, 1):
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        if progress:
            progress(done, total, "comparing files")
        k = keys[(x, y)]
        if k in known:
            v = verdict_from_json(known[k], x, y, hash_of)
        else:
            lo, hi = (x, y) if x < y else (y, x)
            if lo not in docs or hi not in docs:
                continue
            da, db = docs[lo], docs[hi]
            pos = [(da.position[i], db.position[j], c) for i, j, c in links[(lo, hi)]]
            v = classify_files(da, db, pos, min_share=min_share)
            if k is not None:
                fresh[k] = verdict_json(v, hash_of)
        if v is None:
            continue
        a, b = (v.a, v.b)
        if only_file is not None and b == only_file:
            a, b = b, a
        detail = {
            "a_in_b": v.a_in_b if a == v.a else v.b_in_a,
            "b_in_a": v.b_in_a if a == v.a else v.a_in_b,
            "in_order": v.in_order,
            "lexical": v.lexical,
            "contained": v.contained,
            "shared": v.shared_words,
        }
        members = [
            Member(files[a][0], file_id=a, score=detail["a_in_b"]),
            Member(files[b][0], file_id=b, score=detail["b_in_a"]),
        ]
        groups.append(Group(v.score, members, v.kind, detail))
    if verdicts is not None:
        verdicts.put_many(fresh)
    if stats is not None:
        stats["file_pairs_judged"] = total - sum(k in known for k in keys.values())
        stats["file_pairs_reused"] = total - stats["file_pairs_judged"]
    return groups
