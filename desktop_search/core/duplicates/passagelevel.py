"""Passage level: which near-neighbour pairs are duplicates, of what kind, and their groups."""

from __future__ import annotations

import threading

import numpy as np

from desktop_search.core.store.catalog import Store

from .groups import communities_from_pairs
from .judge import TextFacts
from .kinds import KINDS, passage_kind, weakest
from .pairs import Pairs, PassageTable, Progress, ScanCancelled
from .report import Group, Member


def judged_pairs(
    store: Store,
    pairs: Pairs,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Pairs, dict[tuple[int, int], str]]:
    """The pairs that are duplicates of some kind (same text, lexical, or the judge's
    paraphrase), and the kind of each pair that is not identical (pairs missing from
    the dict are identical); near neighbours that only share a topic drop out."""
    ids = np.union1d(pairs.a, pairs.b)
    hash_code = np.full(len(ids), -1, dtype=np.int64)
    codes: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500].tolist()
        q = f"SELECT id, text_hash FROM passages WHERE id IN ({','.join('?' * len(part))})"
        for pid, th in store.conn.execute(q, part):
            hash_code[np.searchsorted(ids, pid)] = codes.setdefault(th, len(codes))
    ca = hash_code[np.searchsorted(ids, pairs.a)] if len(pairs) else hash_code[:0]
    cb = hash_code[np.searchsorted(ids, pairs.b)] if len(pairs) else hash_code[:0]
    known = (ca >= 0) & (cb >= 0)
    same = known & (ca == cb)  # identical text: no need to read it
    todo = np.nonzero(known & ~same)[0]
    need = np.union1d(pairs.a[todo], pairs.b[todo]).tolist()
    texts: dict[int, str] = {}
    for i in range(0, len(need), 500):
        part = need[i : i + 500]
        q = f"SELECT id, text FROM passages WHERE id IN ({','.join('?' * len(part))})"
        texts.update(store.conn.execute(q, part).fetchall())
    facts: dict[int, TextFacts] = {}

    def fact(pid: int) -> TextFacts:
        if pid not in facts:
            facts[pid] = TextFacts.of(texts[pid])
        return facts[pid]

    keep = same.copy()
    kinds: dict[tuple[int, int], str] = {}
    total = len(todo)
    for n, k in enumerate(todo.tolist()):
        if n % 2000 == 0:
            if cancel is not None and cancel.is_set():
                raise ScanCancelled()
            if progress:
                progress(n, total, "judging pairs")
        a, b = int(pairs.a[k]), int(pairs.b[k])
        kind = passage_kind(texts[a], texts[b], fact(a), fact(b), float(pairs.score[k]))
        if kind is not None:
            keep[k] = True
            kinds[(a, b)] = kind
    return pairs.select(keep), kinds


def passage_groups(
    store: Store,
    pairs: Pairs,
    table: PassageTable,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[Group]:
    """Groups of duplicate passages (community detection over the judged pairs), each
    labelled with its loosest link's kind."""
    pairs, kinds = judged_pairs(store, pairs, progress, cancel)
    comms = communities_from_pairs(pairs, 2, attach_leftovers=True, table=table)
    rows = store.passages_by_id(sorted({int(m) for c in comms for m in c.members.tolist()}))
    hashes = _text_hashes(store, np.array(sorted(rows), dtype=np.int64)) if rows else {}
    groups = []
    for c in comms:
        members = []
        for pid, s in zip(c.members.tolist(), c.scores.tolist()):
            r = rows.get(pid)
            if r is None:
                continue
            members.append(
                Member(
                    r["path"],
                    r["page"],
                    r["start"],
                    r["end"],
                    r["text"],
                    pid,
                    r["file_id"],
                    hashes.get(pid, (None, None))[1],
                    float(s),
                )
            )
        if len(members) < 2:
            continue
        score = float(np.mean([m.score for m in members[1:]]))
        members[0].kind = "identical"
        for m in members[1:]:  # O(1) each for copies of the centre: big groups stay linear
            m.kind = _member_kind(m, members[0], members, kinds)
        kind = weakest(m.kind for m in members[1:])
        groups.append(Group(score, members, kind))
    return groups


def _text_hashes(store: Store, ids: np.ndarray) -> dict[int, tuple[None, str]]:
    out: dict[int, tuple[None, str]] = {}
    ids = ids.tolist()
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        q = f"SELECT id, text_hash FROM passages WHERE id IN ({','.join('?' * len(part))})"
        for pid, th in store.conn.execute(q, part):
            out[pid] = (None, th)
    return out


def _member_kind(m: Member, centre: Member, members: list[Member], kinds: dict) -> str:
    """A member's kind with the group's centre, else its closest kind with another member
    (a member attached through a link). Pairs missing from ``kinds`` are identical."""
    if m.text_hash is not None and m.text_hash == centre.text_hash:
        return "identical"
    pid = m.passage_id
    direct = kinds.get((min(pid, centre.passage_id), max(pid, centre.passage_id)))
    if direct is not None:
        return direct
    found = [
        "identical"
        if o.text_hash == m.text_hash
        else kinds.get((min(pid, o.passage_id), max(pid, o.passage_id)))
        for o in members
        if o is not m
    ]
    found = [k for k in found if k is not None]
    return min(found, key=KINDS.index) if found else "paraphrase"
