"""Phase 2's encoder: the model's ONNX export under onnxruntime; torch only without one.

The readers already run the export (``query_encoder``), which matched torch to a cosine
of 0.9999 when it was made (``onnx_export``). Run by the indexing process too, it embeds
passages ~1.3x faster than the torch ``Encoder`` with the same vectors, and the process
never imports torch: ~2 s of CPU and a few hundred MB of RSS that a process that only
watches folders should not carry.

The export is made in a child process (``export_process``), started before phase 1 so
that it is ready when phase 2 begins; the first ``encode`` waits for it. Only a model
that cannot be exported (or whose export fails its parity check) runs the torch
``Encoder`` here, and the log and ``status`` say so once. Vectors from both backends are
interchangeable: the vector cache is keyed by text, whichever backend wrote it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from desktop_search.core.errors import ModelError

from .device import choose_device, providers_for
from .export_process import ExportJob
from .model_folder import ModelFacts, describe
from .onnx_runner import PARITY, PARITY_TEXTS, OnnxRunner, export_path, min_cosine
from .query_encoder import torch_encoder
from .threads import model_threads

log = logging.getLogger(__name__)

#: Padded tokens per forward pass (rows x width; at most ``batch_size`` rows): 32 rows of
#: today's 128-token passages, more rows of short ones. Measured on two cores at load 20
#: (benchmarks/results/encoder.txt): budgets of 4096-16384 and 8-32 rows all ran within
#: the noise of one another (+-15%); two threads beat one (0.77x), spinning was left off.
TOKEN_BUDGET = 4096


class PassageEncoder(ModelFacts):
    """What a writing Engine embeds with. Offers what ``Encoder`` offers the indexer, the
    embedder and the searcher: ``path``, ``pooling``, ``normalize``, ``max_seq_length``,
    ``dim``, ``model_id``, ``info``, ``tokenizer`` (for the chunker's token counts),
    ``texts_encoded`` and ``encode``; and ``backend`` (what runs it, in words)."""

    def __init__(
        self,
        data_dir: str | os.PathLike,
        model_path: str | os.PathLike | None = None,
        *,
        batch_size: int = 256,
        token_budget: int = TOKEN_BUDGET,
    ) -> None:
        self.info = describe(model_path)
        self.data_dir = Path(data_dir)
        self.batch_size = batch_size
        self.token_budget = token_budget
        self.texts_encoded = 0
        self.backend_name = ""  # "onnx" or "torch" once loaded
        self.device = ""  # "cpu", "cuda", "coreml" once loaded
        self.fallback = ""  # why torch runs, if it does
        self.export_seconds: float | None = None  # what making the export cost, if made here
        self._backend = None
        self._export: ExportJob | None = None
        self._lock = threading.Lock()
        file = self.info.path / "tokenizer.json"
        if file.exists():
            self.tokenizer = Tokenizer.from_file(str(file))
        else:  # a slow tokenizer only: transformers converts it, and the export cannot run
            self._use_torch("the model folder has no tokenizer.json")
            self.tokenizer = self._backend.tokenizer

    @property
    def backend(self) -> str:
        """What runs the model, for ``status`` and the app: "onnx on cpu", "torch on cpu
        (why)", or "" before the first encode."""
        if not self.backend_name:
            return ""
        why = f" ({self.fallback})" if self.fallback else ""
        return f"{self.backend_name} on {self.device}{why}"

    def prepare(self) -> None:
        """Start making the export now, in the background, if it is missing: phase 1 runs
        meanwhile, and phase 2 finds it ready."""
        with self._lock:
            if self._backend is None and self._export is None:
                file = export_path(self.data_dir, self.info)
                if not file.exists():
                    log.info("making the ONNX export of %s for phase 2", self.path)
                    self._export = ExportJob(self.path, file)

    def close(self) -> None:
        """Stop an export still under way (the engine is closing)."""
        if self._export is not None:
            self._export.stop()

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        self.texts_encoded += len(texts)
        backend = self.load()
        bs = batch_size or self.batch_size
        if isinstance(backend, OnnxRunner):
            return backend.encode(
                texts, batch_size=bs, progress=progress, token_budget=self.token_budget
            )
        return backend.encode(texts, batch_size=min(bs, 32), progress=progress)

    def load(self):
        """The backend, opened now (waiting for an export under way) if not yet."""
        if self._backend is None:
            self.prepare()
            with self._lock:
                if self._backend is None:
                    self._open()
        return self._backend

    def _open(self) -> None:
        """The export on the chosen device; an export that is missing or will not load
        is made (again) first; torch only if that fails."""
        file = export_path(self.data_dir, self.info)
        for attempt in (1, 2):
            if self._export is None and not file.exists():  # pruned by another process, say
                self._export = ExportJob(self.path, file)
            if self._export is not None:
                job, self._export = self._export, None
                try:
                    parity = job.result()
                except ModelError as exc:
                    self._use_torch(str(exc))
                    return
                self.export_seconds = job.seconds
                log.info(
                    "made the ONNX export of %s in %.1f s (parity %.6f)",
                    self.path,
                    job.seconds,
                    parity,
                )
            try:
                self._backend, self.device = _runner(file, self.info)
            except ModelError as exc:
                file.unlink(missing_ok=True)  # a damaged file: made again once
                if attempt == 2:
                    self._use_torch(str(exc))
                    return
                log.warning("the ONNX export will not load (%s); making it again", exc)
                continue
            self.backend_name = "onnx"
            log.info("phase 2 runs the ONNX export on %s", self.device)
            return

    def _use_torch(self, why: str) -> None:
        """The torch encoder, said once in the log (and by ``backend`` in ``status``)."""
        self._backend = torch_encoder(self.path)
        self.backend_name, self.device, self.fallback = "torch", "cpu", why
        log.warning("phase 2 runs torch, not the ONNX export: %s", why)


def _runner(file: Path, info) -> tuple[OnnxRunner, str]:
    """A session for phase 2 on the chosen device. A GPU session is used only if its
    vectors match the CPU's (which matched torch when the export was made)."""
    cpu = OnnxRunner(file, info, threads=model_threads())
    device = choose_device()
    if device == "cpu":
        return cpu, "cpu"
    try:
        gpu = OnnxRunner(file, info, threads=model_threads(), providers=providers_for(device))
        parity = min_cosine(gpu.encode(list(PARITY_TEXTS)), cpu.encode(list(PARITY_TEXTS)))
    except ModelError as exc:
        log.warning("cannot run the export on %s (%s); using the CPU", device, exc)
        return cpu, "cpu"
    if gpu.providers[0] != providers_for(device)[0] or parity < PARITY:
        log.warning(
            "the export on %s differs from the CPU (cosine %.6f); using the CPU", device, parity
        )
        return cpu, "cpu"
    return gpu, device
