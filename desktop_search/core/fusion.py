"""Rank fusion and grouping: pure functions over ranked id lists."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

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
