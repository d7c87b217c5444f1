"""Sentence encoder: a sentence-transformers model folder run with plain transformers.

We load the folder ourselves (tokenizer, weights, pooling config, Normalize module,
max_seq_length) so that the app needs no sentence-transformers at run time and never
touches the network: ``local_files_only`` plus ``HF_HUB_OFFLINE``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from desktop_search.core.errors import ModelError  # noqa: E402

from .batching import by_length  # noqa: E402
from .model_folder import (  # noqa: E402
    ModelFacts,
    default_model_path,
    describe,
    read_model_config,
)
from .pooling import l2_normalize, pool  # noqa: E402

__all__ = ["SMALL_INPUT_TOKENS", "Encoder", "default_model_path", "read_model_config"]


def _tame_glibc_malloc() -> None:
    """Large activations go straight to mmap and back to the OS when freed, and threads
    share two malloc arenas: without this, RSS keeps the high-water mark of every batch."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD: 1 MiB, fixed
        libc.mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc
        pass


_tame_glibc_malloc()

#: Inputs up to this many tokens in all run on one thread (see Encoder.encode).
SMALL_INPUT_TOKENS = 128


class Encoder(ModelFacts):
    """Turns texts into L2-normalised float32 vectors, in input order.

    Thread-safe: the model is read-only under inference mode, and every thread shares one
    Rust tokenizer that is configured once and then only read. There is deliberately no
    global lock, so a one-line query never waits behind an indexing batch.
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        pooling: str | None = None,
        normalize: bool | None = None,
        max_seq_length: int | None = None,
        batch_size: int = 32,
        num_threads: int | None = None,
    ) -> None:
        from transformers import AutoConfig, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        self.info = describe(
            model_path, pooling=pooling, normalize=normalize, max_seq_length=max_seq_length
        )
        folder = self.info.path
        self.batch_size = batch_size
        if num_threads:
            torch.set_num_threads(num_threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            self.config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load model from {folder}: {exc}") from exc
        self._model = None
        self._model_inputs = set(self.tokenizer.model_input_names)
        self._pad_id = int(self.tokenizer.pad_token_id or 0)
        self.texts_encoded = 0  # forward-pass inputs so far: lets tests prove "no re-embedding"
        self._model_lock = threading.Lock()
        # One Rust tokenizer, configured once and then only read: encode_batch borrows it
        # immutably and releases the GIL, so every thread can share it (the transformers
        # wrapper re-configures truncation on each call, which two threads cannot share).
        self._truncating = _backend_copy(self.tokenizer, self.max_seq_length)

    @property
    def model(self):
        """The weights load on first use: a sync that finds nothing new never pays for them."""
        if self._model is None:
            with self._model_lock:
                if self._model is None:
                    from transformers import AutoModel

                    try:
                        model = AutoModel.from_pretrained(str(self.path), local_files_only=True)
                    except (OSError, ValueError) as exc:
                        raise ModelError(
                            f"cannot load model weights from {self.path}: {exc}"
                        ) from exc
                    model.eval()
                    self._model = model
        return self._model

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts``; batches are formed from length-sorted texts so that they pad little."""
        n = len(texts)
        if n == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        self.texts_encoded += n
        ids = [e.ids for e in self._truncating.encode_batch(list(texts), add_special_tokens=True)]
        # A query is too small to split across cores, and OpenMP workers spinning for a
        # busy core made one-line queries ~10x slower while indexing: use one thread
        # (torch's thread count is per calling thread, so the indexer keeps its own).
        small = sum(len(x) for x in ids) <= SMALL_INPUT_TOKENS
        threads = torch.get_num_threads()
        if small and threads > 1:
            torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                bs = batch_size or self.batch_size
                return by_length(ids, self.dim, bs, self._forward, progress)
        finally:
            if small and threads > 1:
                torch.set_num_threads(threads)

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in batch)
        input_ids = torch.full((len(batch), width), self._pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, x in enumerate(batch):
            input_ids[row, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[row, : len(x)] = 1
        enc = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._model_inputs:
            enc["token_type_ids"] = torch.zeros_like(input_ids)
        token_embeddings = self.model(**enc).last_hidden_state
        emb = pool(self.pooling, token_embeddings, enc["attention_mask"])
        if self.normalize:
            emb = l2_normalize(emb)
        return emb.float().numpy()


def _backend_copy(tokenizer, truncate_to: int | None):
    """A private copy of the fast tokenizer's Rust backend, with our own truncation.

    The model's tokenizer.json may carry its own padding and truncation (all-MiniLM-L6-v2's
    pads and truncates to 128); both are replaced here, so counts are exact and encoding
    truncates exactly where sentence-transformers does (max_seq_length).
    """
    from tokenizers import Tokenizer

    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ModelError("the model folder has no fast tokenizer (tokenizer.json)")
    copy = Tokenizer.from_str(backend.to_str())
    copy.no_padding()
    if truncate_to:
        copy.enable_truncation(truncate_to)
    else:
        copy.no_truncation()
    return copy
