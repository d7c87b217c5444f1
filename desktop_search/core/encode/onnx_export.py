"""Exporting the torch encoder's network once, for readers that run it without torch.

The export is the transformer up to its token vectors (``last_hidden_state``), with
batch and sequence length left dynamic; ``onnx_runner`` pools and normalises as the
model folder says. A file is installed only after it has matched the torch encoder on
real sentences (minimum cosine ``PARITY``), and atomically (a temporary file, then
``os.replace``), so a reader never sees half a file and two exporters may race.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

import torch

from desktop_search.core.errors import ModelError

from .encoder import Encoder
from .onnx_runner import PARITY, PARITY_TEXTS, OnnxRunner, exports_are_shared, min_cosine

__all__ = ["PARITY", "PARITY_TEXTS", "check_parity", "export_query_model"]

log = logging.getLogger(__name__)


class _Hidden(torch.nn.Module):
    """The network with plain tensor inputs and one output, as the exporter wants it."""

    def __init__(self, model: torch.nn.Module, with_types: bool) -> None:
        super().__init__()
        self.model = model
        self.with_types = with_types

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if self.with_types:
            kwargs["token_type_ids"] = token_type_ids
        return self.model(**kwargs).last_hidden_state


def export_query_model(encoder: Encoder, dest: Path) -> float:
    """Write ``encoder``'s network to ``dest`` (an ``.onnx`` file) and return the parity
    reached; raises ModelError, and leaves nothing behind, if it falls short."""
    from transformers import AutoModel

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # Eager attention: SDPA's fast paths branch on the mask's values, which a trace
        # would freeze; eager computes the same numbers for any padding.
        model = AutoModel.from_pretrained(
            str(encoder.path), local_files_only=True, attn_implementation="eager"
        ).eval()
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load model weights from {encoder.path}: {exc}") from exc
    with_types = "token_type_ids" in encoder.tokenizer.model_input_names
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_types else [])
    ids = torch.tensor([[101, 2023, 2003, 102], [101, 2023, 102, 0]], dtype=torch.long)
    example = (ids, (ids != 0).long()) + ((torch.zeros_like(ids),) if with_types else ())
    fd, tmp_name = tempfile.mkstemp(prefix=dest.stem, suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer chatter about Python booleans
            torch.onnx.export(
                _Hidden(model, with_types),
                example,
                str(tmp),
                dynamo=False,
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
            )
        parity = check_parity(encoder, tmp)
        if parity < PARITY:
            raise ModelError(f"export of {encoder.path} differs from torch (cosine {parity:.6f})")
        os.replace(tmp, dest)
        _prune(dest)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, ModelError | OSError):
            raise
        raise ModelError(f"cannot export {encoder.path}: {exc}") from exc
    log.info("exported %s to %s (parity %.6f)", encoder.path, dest, parity)
    return parity


def _prune(keep: Path) -> None:
    """An index has one active model: exports of earlier weights are dead weight (~90 MB
    each). A reader still running one has read it into memory already. A folder shared by
    several data folders keeps them all: another may be using one."""
    if exports_are_shared():
        return
    for old in keep.parent.glob("*.onnx"):
        if old != keep:
            old.unlink(missing_ok=True)


def check_parity(encoder: Encoder, file: Path, texts=PARITY_TEXTS) -> float:
    """The least cosine between torch's and the export's vectors for ``texts``."""
    ref = encoder.encode(list(texts))
    return min_cosine(OnnxRunner(file, encoder.info, threads=1).encode(list(texts)), ref)
