"""Fine-tuning the sentence encoder on a person's own data, without sentence-transformers.

readers: training files -> ``Example``; losses: CosineSimilarity, Triplet and
MultipleNegativesRanking losses; trainer: the loop; save: a sentence-transformers folder;
mining: (heading, section) pairs from documents and ``adapt``. Adapt itself (mine, train,
re-embed, switch) is ``engine.adapting``: it drives the Engine.
"""

from __future__ import annotations

from .losses import (
    CosineSimilarityLoss,
    MultipleNegativesRankingLoss,
    TripletLoss,
    cosine_similarity_loss,
    data_kind,
    make_loss,
    mnrl_loss,
    triplet_loss,
)
from .mining import AdaptResult, MinedPair, adapt, adapt_pairs, mine_pairs, split_holdout
from .readers import DataError, Example, read_examples, read_pairs, read_scored_pairs, read_triplets
from .save import save_model
from .trainer import (
    Progress,
    SentenceModel,
    TrainConfig,
    TrainingError,
    TrainResult,
    evaluate,
    spearman,
    train,
)

__all__ = [
    "AdaptResult",
    "CosineSimilarityLoss",
    "DataError",
    "Example",
    "MinedPair",
    "MultipleNegativesRankingLoss",
    "Progress",
    "SentenceModel",
    "TrainConfig",
    "TrainResult",
    "TrainingError",
    "TripletLoss",
    "adapt",
    "adapt_pairs",
    "cosine_similarity_loss",
    "data_kind",
    "evaluate",
    "make_loss",
    "mine_pairs",
    "mnrl_loss",
    "read_examples",
    "read_pairs",
    "read_scored_pairs",
    "read_triplets",
    "save_model",
    "spearman",
    "split_holdout",
    "train",
    "triplet_loss",
]
