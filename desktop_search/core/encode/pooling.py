"""Pooling of token embeddings into one sentence vector.

Pure functions over tensors, as in sentence-transformers' ``models/Pooling.py``: the
encoder and the trainer share them, so a fine-tuned model pools exactly as it was trained.
"""

from __future__ import annotations

import torch

from .model_folder import POOLING_MODES


def mean_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average over real tokens only; padding must not dilute short texts."""
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    summed = (token_embeddings * mask).sum(dim=1)
    counts = mask.sum(dim=1).clamp(min=1e-9)
    return summed / counts


def cls_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The first token's vector (models trained with a [CLS] objective)."""
    del attention_mask
    return token_embeddings[:, 0]


def max_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Element-wise max over real tokens; padding is pushed to -inf-like values first."""
    mask = attention_mask.unsqueeze(-1).bool()
    filled = token_embeddings.masked_fill(~mask, -1e9)
    return filled.max(dim=1).values


_POOLERS = {"mean": mean_pool, "cls": cls_pool, "max": max_pool}


def pool(mode: str, token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    try:
        fn = _POOLERS[mode]
    except KeyError:
        raise ValueError(
            f"unknown pooling mode {mode!r}; valid modes: {', '.join(POOLING_MODES)}"
        ) from None
    return fn(token_embeddings, attention_mask)


def l2_normalize(embeddings: torch.Tensor) -> torch.Tensor:
    """Unit length, so that a dot product is a cosine (what HNSW's 'ip' space expects)."""
    return torch.nn.functional.normalize(embeddings, p=2, dim=1)
