"""Rank fusion and grouping: pure functions over ranked id lists.

People see files, so the legs are fused at the file level: each leg ranks files by their
best passage, the file rankings are fused, and passages inside a file keep their own order.
Fusing passages first and grouping afterwards splits a file's evidence: a file whose best
passages sit at ranks 1 and 2 of both legs could lose to one with a single passage high in
each.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hashable]], k: int = RRF_K
) -> list[tuple[Hashable, float]]:
    """Cormack et al.'s RRF: robust to the two legs' incomparable score scales."""
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))


def files_by_best(
    scored: Sequence[tuple[Hashable, float]], file_of: Mapping[Hashable, Hashable]
) -> list[Hashable]:
    """Files in the order of their best passage in one leg's best-first list."""
    return list(dict.fromkeys(file_of[item] for item, _ in scored if item in file_of))


def fuse_files(
    legs: Sequence[Sequence[tuple[Hashable, float]]],
    file_of: Mapping[Hashable, Hashable],
    k: int = RRF_K,
) -> list[tuple[Hashable, float]]:
    """(file, fused score) best first: RRF over each leg's file ranking."""
    return reciprocal_rank_fusion([files_by_best(leg, file_of) for leg in legs], k)


def group_by(
    scored: Sequence[tuple[Hashable, float]],
    key: Callable[[Hashable], Hashable],
    limit: int,
    per_group: int,
) -> list[tuple[Hashable, float, list[tuple[Hashable, float]]]]:
    """Group best-first items by ``key``; a group ranks by its best member."""
    groups: dict[Hashable, list[tuple[Hashable, float]]] = {}
    order: list[Hashable] = []
    for item, score in scored:
        g = key(item)
        if g not in groups:
            if len(order) >= limit:
                continue
            groups[g] = []
            order.append(g)
        if len(groups[g]) < per_group:
            groups[g].append((item, score))
    return [(g, groups[g][0][1], groups[g]) for g in order]
