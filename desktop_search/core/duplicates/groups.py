"""Grouping pairs: union-find components and community detection."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import DEFAULT_THRESHOLD
from .pairs import Pairs, PassageTable, _in_sorted, brute_force_pairs


def cluster_pairs(a, b, nodes=None) -> list[np.ndarray]:
    """Connected components (union-find) of the graph of pairs; only those of size >= 2
    (plus singletons of ``nodes``, when given). Largest first, then by smallest id."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    parent: dict[int, int] = {}
    for x in nodes if nodes is not None else []:
        parent.setdefault(int(x), int(x))

    def find(x: int) -> int:
        root = parent.setdefault(x, x)
        while parent[root] != root:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            if rx < ry:
                parent[ry] = rx
            else:
                parent[rx] = ry
    comps: dict[int, list[int]] = {}
    for x in parent:
        comps.setdefault(find(x), []).append(x)
    out = [np.array(sorted(c), dtype=np.int64) for c in comps.values()]
    if nodes is None:
        out = [c for c in out if len(c) >= 2]
    out.sort(key=lambda c: (-len(c), int(c[0])))
    return out


@dataclass
class Community:
    centre: int
    members: np.ndarray  # centre first, then by score with the centre (best first)
    scores: (
        np.ndarray
    )  # cosine of each member with the centre (or, for an attached member, with its link)


def _adjacency(pairs: Pairs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CSR adjacency: (nodes sorted, offsets, neighbours, scores); neighbours best first."""
    src = np.concatenate([pairs.a, pairs.b])
    dst = np.concatenate([pairs.b, pairs.a])
    sc = np.concatenate([pairs.score, pairs.score])
    order = np.lexsort((dst, -sc, src))
    src, dst, sc = src[order], dst[order], sc[order]
    nodes, starts = np.unique(src, return_index=True)
    offsets = np.append(starts, len(src))
    return nodes, offsets, dst, sc


def communities_from_pairs(
    pairs: Pairs,
    min_size: int = 2,
    *,
    nodes: np.ndarray | None = None,
    attach_leftovers: bool = False,
    table: PassageTable | None = None,
) -> list[Community]:
    """Community detection over a sparse similarity graph.

    The same greedy rule as sentence-transformers' ``util.community_detection`` (6.x):
    each node's candidate community is itself plus its neighbours; candidates are taken
    largest first (ties in node order), skipping those whose centre is already taken and
    keeping the untaken members if they still number ``min_size``. ``nodes`` adds nodes
    without pairs (they matter only when min_size is 1). With ``attach_leftovers``, a
    node still ungrouped that is paired with a grouped node joins that node's community.
    With ``table``, a community never holds two passages that the same-file rule keeps
    apart (the better-scored one stays; the other is free for another group).
    """
    adj_nodes, offsets, dst, sc = (
        _adjacency(pairs)
        if len(pairs)
        else (
            np.empty(0, np.int64),
            np.zeros(1, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.float32),
        )
    )
    all_nodes = (
        adj_nodes if nodes is None else np.union1d(adj_nodes, np.asarray(nodes, dtype=np.int64))
    )
    pos_in_adj = {int(n): i for i, n in enumerate(adj_nodes.tolist())}
    degree = np.zeros(len(all_nodes), dtype=np.int64)
    where = np.searchsorted(adj_nodes, all_nodes)
    has = _in_sorted(all_nodes, adj_nodes)
    degree[has] = (offsets[1:] - offsets[:-1])[where[has]]

    meta: dict[int, tuple[int, int, int, int, int]] = {}
    if table is not None and len(all_nodes):
        p, found = table.positions(all_nodes)
        for n, ok, c, f, o, st, en in zip(
            all_nodes.tolist(),
            found.tolist(),
            table.content_ids[p].tolist(),
            table.file_ids[p].tolist(),
            table.ords[p].tolist(),
            table.starts[p].tolist(),
            table.ends[p].tolist(),
        ):
            if ok:
                meta[n] = (c, f, o, st, en)

    # A community's members by content and reading position, so that the check below
    # looks only at members of the same text at another position: N copies of one
    # passage (same content, same position, other files) never conflict, and cost O(1)
    # each instead of a pass over the whole community.
    Index = dict[int, dict[int, list[tuple[int, int, int]]]]

    def add(index: Index, node: int) -> None:
        mine = meta.get(node)
        if mine is not None:
            c, f, o, st, en = mine
            index.setdefault(c, {}).setdefault(o, []).append((f, st, en))

    def compatible(node: int, index: Index) -> bool:
        """False when ``node`` and a member are overlapping/adjacent chunks of one text."""
        mine = meta.get(node)
        if mine is None:
            return True
        c, _, o, st, en = mine
        for o2, entries in index.get(c, {}).items():
            if o2 == o:  # the same chunk of an identical copy: a twin, never a conflict
                continue  # (one file has one chunk per position)
            for _, st2, en2 in entries:
                if abs(o - o2) <= 1 or (st < en2 and st2 < en):
                    return False
        return True

    # Largest first; np.argsort stable on -size keeps node order among equals.
    order = np.argsort(-(degree + 1), kind="stable")
    used: set[int] = set()
    out: list[Community] = []
    for i in order.tolist():
        size = int(degree[i]) + 1
        if size < min_size:
            break
        centre = int(all_nodes[i])
        if centre in used:
            continue
        members, scores = [centre], [1.0]
        index: Index = {}
        add(index, centre)
        j = pos_in_adj.get(centre)
        if j is not None:
            for nb, s in zip(
                dst[offsets[j] : offsets[j + 1]].tolist(), sc[offsets[j] : offsets[j + 1]].tolist()
            ):
                if nb not in used and compatible(nb, index):
                    members.append(nb)
                    scores.append(s)
                    add(index, nb)
        if len(members) < min_size:
            continue
        out.append(Community(centre, np.asarray(members, np.int64), np.asarray(scores, np.float32)))
        used.update(members)
    if attach_leftovers and out:
        owner = {int(m): ci for ci, c in enumerate(out) for m in c.members.tolist()}
        grown = {ci: (c.members.tolist(), c.scores.tolist()) for ci, c in enumerate(out)}
        indexes: dict[int, Index] = {}
        for ci, (ms, _) in grown.items():
            indexes[ci] = {}
            for m in ms:
                add(indexes[ci], m)
        for node in adj_nodes.tolist():
            if node in owner:
                continue
            j = pos_in_adj[node]
            # Neighbours are best first: join the closest grouped one whose group has room.
            for nb, s in zip(
                dst[offsets[j] : offsets[j + 1]].tolist(), sc[offsets[j] : offsets[j + 1]].tolist()
            ):
                ci = owner.get(nb)
                if ci is not None and compatible(node, indexes[ci]):
                    grown[ci][0].append(node)
                    grown[ci][1].append(s)
                    add(indexes[ci], node)
                    owner[node] = ci
                    break
        out = [
            Community(
                c.centre, np.asarray(grown[ci][0], np.int64), np.asarray(grown[ci][1], np.float32)
            )
            for ci, c in enumerate(out)
        ]
    out.sort(key=lambda c: -len(c.members))
    return out


def community_detection(
    embeddings: np.ndarray, threshold: float = DEFAULT_THRESHOLD, min_community_size: int = 2
) -> list[list[int]]:
    """Drop-in for sentence-transformers' ``util.community_detection`` on a small matrix
    (exact pairs, then ``communities_from_pairs``): lists of row indexes, centre first."""
    emb = np.asarray(embeddings, dtype=np.float32)
    if emb.ndim == 1:
        emb = emb[None, :]
    n = len(emb)
    if n == 0 or n < min_community_size:
        return []
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = emb / np.where(norms == 0, 1, norms)
    ids = np.arange(n, dtype=np.int64)
    pairs = brute_force_pairs(ids, emb, threshold)
    comms = communities_from_pairs(pairs, min_community_size, nodes=ids)
    return [c.members.tolist() for c in comms]
