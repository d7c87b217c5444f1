"""Running an exported sentence encoder with onnxruntime and ``tokenizers``: no torch.

The network's graph ends at the token vectors; pooling and normalisation follow the model
folder's config here, as NumPy twins of ``pooling`` (the parity test checks all three
modes against the torch encoder).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from desktop_search.core.errors import ModelError

from .batching import by_length
from .model_folder import ModelInfo

#: Where exports live inside the data folder, one file per model's exact weights (beside
#: the adapted models' folders in ``models/``).
EXPORTS_DIR = Path("models") / "onnx"

#: A folder that several data folders share for their exports instead (each model is then
#: exported once for all of them; nothing there is pruned, as another may still use it).
SHARED_EXPORTS_VARIABLE = "DESKTOP_SEARCH_EXPORTS"

#: Intra-op threads for a query session. A one-line query runs no faster on more, but the
#: best-sentence pass (a hundred sentences) runs about twice as fast on two.
MAX_THREADS = 2


#: The least cosine between an export's and torch's vectors for the export to be used.
PARITY = 0.9999

#: Checked on every export: short and long, plain and odd text, one padded batch.
PARITY_TEXTS = (
    "How do I renew my passport?",
    "gnuplot: set terminal pngcairo size 800,600 enhanced font 'Verdana,10'",
    "Die Straßenbahn fährt um 7:45 Uhr ab — café, naïve, 東京.",
    "x",
    "The function returns a new list containing all items from the iterable in ascending "
    "order. A custom key function can be supplied to customise the sort order, and the "
    "reverse flag can be set to request the result in descending order. " * 6,
)


def exports_dir(data_dir: str | os.PathLike) -> Path:
    """The folder that holds this data folder's exports."""
    shared = os.environ.get(SHARED_EXPORTS_VARIABLE)
    return Path(shared) if shared else Path(data_dir) / EXPORTS_DIR


def exports_are_shared() -> bool:
    return bool(os.environ.get(SHARED_EXPORTS_VARIABLE))


def export_path(data_dir: str | os.PathLike, info: ModelInfo) -> Path:
    """The export for ``info``'s exact weights for this data folder (it may not exist yet)."""
    return exports_dir(data_dir) / f"{info.weights_key()}.onnx"


def pool(mode: str, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``pooling.pool`` over NumPy arrays: (batch, seq, dim) and (batch, seq) -> (batch, dim)."""
    if mode == "mean":
        m = mask[..., None].astype(tokens.dtype)
        return (tokens * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    if mode == "cls":
        return tokens[:, 0]
    if mode == "max":
        return np.where(mask[..., None].astype(bool), tokens, -1e9).max(axis=1)
    raise ValueError(f"unknown pooling mode {mode!r}")


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The least cosine between matching rows of two vector sets (the parity measure)."""
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)
    return float(cos.min())


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """As torch's ``F.normalize``: a zero vector stays zero."""
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class OnnxRunner:
    """One onnxruntime session and one Rust tokenizer: thread-safe, as both are."""

    def __init__(
        self,
        file: Path,
        info: ModelInfo,
        threads: int | None = None,
        *,
        providers: Sequence[str] = ("CPUExecutionProvider",),
    ) -> None:
        # Imported here, not at the top: a keyword search must not pay ~0.2 s for them.
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.info = info
        tokenizer_file = info.path / "tokenizer.json"
        if not tokenizer_file.exists():
            raise ModelError(f"{info.path} has no tokenizer.json (a fast tokenizer)")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()  # the folder's own padding/truncation are replaced,
        self.tokenizer.enable_truncation(info.max_seq_length)  # exactly as Encoder does
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(MAX_THREADS, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # Idle workers sleep instead of spinning: a spinning pool beside the indexer's
        # busy cores made torch queries ~10x slower (see encoder.SMALL_INPUT_TOKENS).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(file), options, providers=list(providers))
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise ModelError(f"cannot load {file}: {exc}") from exc
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.providers = self.session.get_providers()  # what onnxruntime actually took

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
        token_budget: int | None = None,
    ) -> np.ndarray:
        """Embed ``texts`` in input order, batched by length as ``Encoder.encode`` does
        (and by ``token_budget`` padded tokens per batch, if given)."""
        if not texts:
            return np.empty((0, self.info.dim), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]
        bs = batch_size or 32
        return by_length(ids, self.info.dim, bs, self._forward, progress, token_budget)

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, x in enumerate(batch):
            input_ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        (tokens,) = self.session.run(None, feed)
        emb = pool(self.info.pooling, tokens, mask)
        if self.info.normalize:
            emb = l2_normalize(emb)
        return emb.astype(np.float32, copy=False)
