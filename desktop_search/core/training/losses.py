"""Contrastive losses, as pure functions over embeddings plus thin modules that run the model.

The pure functions are what the tests check against hand-computed values; the modules only
embed the batch's columns and call them. Defaults follow sentence-transformers so that a
model trained here is comparable with one trained there: CosineSimilarityLoss is the MSE
between cosine and label, TripletLoss uses Euclidean distance with margin 5, and
MultipleNegativesRankingLoss scales cosines by 20.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

DISTANCES = ("euclidean", "cosine", "manhattan")
LOSSES = ("cosine", "triplet", "mnrl")


def cos_sim_matrix(a: Tensor, b: Tensor) -> Tensor:
    """All-pairs cosine similarity, shape (len(a), len(b))."""
    return F.normalize(a, p=2, dim=-1) @ F.normalize(b, p=2, dim=-1).T


def pairwise_distance(a: Tensor, b: Tensor, distance: str = "euclidean") -> Tensor:
    """Row-wise distance between two (n, d) tensors.

    ``vector_norm`` rather than ``sqrt(sum(...))`` because its gradient at zero distance is
    0, not NaN, which matters when an anchor and its positive are the same text.
    """
    if distance == "euclidean":
        return torch.linalg.vector_norm(a - b, ord=2, dim=-1)
    if distance == "manhattan":
        return torch.linalg.vector_norm(a - b, ord=1, dim=-1)
    if distance == "cosine":
        return 1.0 - F.cosine_similarity(a, b, dim=-1)
    raise ValueError(f"unknown distance {distance!r}; valid distances: {', '.join(DISTANCES)}")


def cosine_similarity_loss(emb_a: Tensor, emb_b: Tensor, labels: Tensor) -> Tensor:
    """mean((cos(a_i, b_i) - label_i)^2), labels in 0..1."""
    if labels.numel() != emb_a.shape[0]:
        raise ValueError(f"expected {emb_a.shape[0]} labels, got {labels.numel()}")
    cos = F.cosine_similarity(emb_a, emb_b, dim=-1)
    return F.mse_loss(cos, labels.to(cos.dtype).view(-1))


def triplet_loss(
    anchors: Tensor,
    positives: Tensor,
    negatives: Tensor,
    margin: float = 5.0,
    distance: str = "euclidean",
) -> Tensor:
    """mean(max(d(a, p) - d(a, n) + margin, 0)): negatives at least ``margin`` further off."""
    d_pos = pairwise_distance(anchors, positives, distance)
    d_neg = pairwise_distance(anchors, negatives, distance)
    return F.relu(d_pos - d_neg + margin).mean()


def mnrl_loss(
    anchors: Tensor,
    positives: Tensor,
    negatives: Tensor | None = None,
    scale: float = 20.0,
) -> Tensor:
    """Cross-entropy of anchor i over all candidates, where only positive i is correct.

    The candidates are every positive in the batch (so the other anchors' positives act as
    negatives) plus any hard negatives. The batch must hold no duplicate texts, or a
    correct candidate would be counted as a negative.
    """
    candidates = positives if negatives is None else torch.cat([positives, negatives], dim=0)
    scores = cos_sim_matrix(anchors, candidates) * scale
    target = torch.arange(anchors.shape[0], device=anchors.device)
    return F.cross_entropy(scores, target)


def embed_columns(
    model: Callable[[list[str]], Tensor], columns: Sequence[Sequence[str]]
) -> list[Tensor]:
    """Embed all columns in one forward pass (faster than one pass per column), then split."""
    sizes = [len(col) for col in columns]
    flat = [text for col in columns for text in col]
    return list(torch.split(model(flat), sizes, dim=0))


class CosineSimilarityLoss(nn.Module):
    """Regress cos(text1, text2) onto a 0..1 similarity label (data: scored pairs)."""

    data_kind = "scored"
    columns = (2,)
    unique_batches = False

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, columns: Sequence[Sequence[str]], labels: Tensor | None) -> Tensor:
        if labels is None:
            raise ValueError("CosineSimilarityLoss needs a similarity label per pair")
        emb = embed_columns(self.model, columns)
        return cosine_similarity_loss(emb[0], emb[1], labels)


class TripletLoss(nn.Module):
    """Push the negative at least ``margin`` further from the anchor than the positive."""

    data_kind = "triplets"
    columns = (3,)
    unique_batches = False

    def __init__(self, model: nn.Module, margin: float = 5.0, distance: str = "euclidean") -> None:
        super().__init__()
        if distance not in DISTANCES:
            raise ValueError(
                f"unknown distance {distance!r}; valid distances: {', '.join(DISTANCES)}"
            )
        self.model = model
        self.margin = margin
        self.distance = distance

    def forward(self, columns: Sequence[Sequence[str]], labels: Tensor | None = None) -> Tensor:
        del labels
        a, p, n = embed_columns(self.model, columns)
        return triplet_loss(a, p, n, self.margin, self.distance)


class MultipleNegativesRankingLoss(nn.Module):
    """In-batch negatives: each anchor must pick its own positive out of the whole batch."""

    data_kind = "pairs"
    columns = (2, 3)
    unique_batches = True  # the trainer then builds batches without duplicate texts

    def __init__(self, model: nn.Module, scale: float = 20.0) -> None:
        super().__init__()
        if not scale > 0:
            raise ValueError("scale must be positive")
        self.model = model
        self.scale = scale

    def forward(self, columns: Sequence[Sequence[str]], labels: Tensor | None = None) -> Tensor:
        del labels
        emb = embed_columns(self.model, columns)
        negatives = emb[2] if len(emb) > 2 else None
        return mnrl_loss(emb[0], emb[1], negatives, self.scale)


def data_kind(name: str) -> str:
    """The kind of training data (see ``readers.KINDS``) that a loss named on the CLI reads."""
    kinds = {"cosine": "scored", "triplet": "triplets", "mnrl": "pairs"}
    if name not in kinds:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}")
    return kinds[name]


def make_loss(name: str, model: nn.Module, **kwargs) -> nn.Module:
    """The loss module for a CLI name: ``cosine``, ``triplet`` or ``mnrl``."""
    if name == "cosine":
        return CosineSimilarityLoss(model, **kwargs)
    if name == "triplet":
        return TripletLoss(model, **kwargs)
    if name == "mnrl":
        return MultipleNegativesRankingLoss(model, **kwargs)
    raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}")
