"""Write a trained model as a sentence-transformers folder.

The layout is the classic one (Transformer at the root, ``1_Pooling``, ``2_Normalize``)
with the module type names that every sentence-transformers release since 2.0 resolves,
so the folder loads in the project's ``Encoder`` and in sentence-transformers alike. The
folder is written next to its destination and renamed into place, so a crash never leaves
a half-written model that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .trainer import SentenceModel

TRAINING_INFO_FILE = "desktop_search_training.json"


def _pooling_config(mode: str, dim: int) -> dict:
    return {
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": mode == "cls",
        "pooling_mode_mean_tokens": mode == "mean",
        "pooling_mode_max_tokens": mode == "max",
        "pooling_mode_mean_sqrt_len_tokens": False,
    }


def _modules(normalize: bool) -> list[dict]:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
    ]
    if normalize:
        modules.append(
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            }
        )
    return modules


def _versions() -> dict:
    import torch
    import transformers

    return {"transformers": transformers.__version__, "pytorch": torch.__version__}


def write_model_folder(model: SentenceModel, folder: Path, info: dict | None = None) -> None:
    """Write every file of the layout into ``folder`` (which must exist)."""
    model.transformer.save_pretrained(str(folder))
    model.tokenizer.save_pretrained(str(folder))
    lower = bool(getattr(model.tokenizer, "do_lower_case", False))
    files = {
        "modules.json": _modules(model.normalize),
        "sentence_bert_config.json": {
            "max_seq_length": model.max_seq_length,
            "do_lower_case": lower,
        },
        "config_sentence_transformers.json": {
            "__version__": _versions(),
            "prompts": {},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": _pooling_config(model.pooling, model.dim),
    }
    if model.normalize:
        files["2_Normalize/config.json"] = {}
    if info is not None:
        files[TRAINING_INFO_FILE] = info
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def save_model(
    model: SentenceModel,
    out_dir: str | os.PathLike,
    *,
    info: dict | None = None,
    overwrite: bool = False,
) -> Path:
    """Save to ``out_dir``; refuses a non-empty folder unless ``overwrite``.

    ``info`` (loss, data, steps, metrics) is stored beside the model for the record.
    """
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} is not empty; choose another folder or allow overwriting")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_model_folder(model, tmp, info)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
