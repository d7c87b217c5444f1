"""The reading side's encoder: ONNX Runtime over weights exported once, torch only as a fallback.

A search process (one CLI query, the app's window) needs the encoder for a handful of
short texts. Importing torch and transformers alone took 2.4 s and ~300 MB, more than
the whole search. So the indexing side, which has torch loaded anyway, exports the
network once into the data folder (``onnx_export``), and readers run that file with
onnxruntime and the ``tokenizers`` package: ~0.4 s to start, no torch in the process.

``QueryEncoder`` knows the model's facts from its folder's JSON (``model_folder``) and
loads nothing until the first ``encode``: a keyword search never loads an encoder at all.
Without an export (an index made before exports existed, a model the exporter cannot
handle) it falls back to the torch ``Encoder`` and, where it can write, exports then, so
the next process starts fast.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from desktop_search.core.errors import ModelError

from .model_folder import ModelFacts, describe
from .onnx_runner import OnnxRunner, export_path, exports_dir
from .threads import limit_torch

if TYPE_CHECKING:
    from .encoder import Encoder

log = logging.getLogger(__name__)


class _Backend(Protocol):
    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray: ...


class QueryEncoder(ModelFacts):
    """What a reading Engine encodes with: the model's facts now, a backend on first use.

    Offers what the search side uses of ``Encoder``: ``path``, ``pooling``, ``normalize``,
    ``max_seq_length``, ``dim``, ``model_id``, ``texts_encoded`` and ``encode``.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike,
        model_path: str | os.PathLike | None = None,
        *,
        writable: bool = True,
    ) -> None:
        self.info = describe(model_path)
        self.data_dir = Path(data_dir)
        self.writable = writable
        self.texts_encoded = 0
        self.backend_name = ""  # "onnx" or "torch" once loaded
        self._backend: _Backend | None = None
        self._lock = threading.Lock()

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        self.texts_encoded += len(texts)
        return self._load().encode(texts, batch_size=batch_size, progress=progress)

    def _load(self) -> _Backend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = self._open()
        return self._backend

    def _open(self) -> _Backend:
        file = export_path(self.data_dir, self.info)
        if file.exists():
            try:
                runner = OnnxRunner(file, self.info)
                self.backend_name = "onnx"
                return runner
            except ModelError as exc:
                log.warning("query model export unusable (%s); making it again", exc)
                if self.writable:
                    file.unlink(missing_ok=True)
        return self._torch_fallback(file)

    def _torch_fallback(self, file: Path) -> _Backend:
        """The torch encoder, and, where the data folder is writable, an export for next time
        (this process has paid for torch already; the next one then starts fast)."""
        encoder = torch_encoder(self.info.path)
        self.backend_name = "torch"
        if not self.writable or ensure_export(encoder, self.data_dir) is None:
            return encoder
        try:
            runner = OnnxRunner(file, self.info)
        except ModelError as exc:
            log.warning("query model export unusable (%s); using torch", exc)
            return encoder
        self.backend_name = "onnx"
        return runner


def has_export(data_dir: str | os.PathLike) -> bool:
    """Whether an export is at hand for this data folder (in its own folder only the
    active model's is kept): if not, a reading process will load torch on its first query."""
    return any(exports_dir(data_dir).glob("*.onnx"))


def ensure_export(encoder: Encoder, data_dir: str | os.PathLike) -> Path | None:
    """The export of ``encoder``'s network in ``data_dir``, made now if missing; None if
    this model cannot be exported (its readers then run torch)."""
    file = export_path(Path(data_dir), encoder.info)
    if file.exists():
        return file
    from .onnx_export import export_query_model  # torch: only a process that has it

    try:
        export_query_model(encoder, file)
    except (ModelError, OSError) as exc:
        log.warning("no query model export for %s: %s", encoder.path, exc)
        return None
    return file


def torch_encoder(model_path: str | os.PathLike | None = None) -> Encoder:
    """The torch ``Encoder`` (indexing, training), imported only when one is built: a
    reading process never loads torch."""
    from .encoder import Encoder

    encoder = Encoder(model_path)
    limit_torch()  # torch may have just been imported: it leaves a core free too
    return encoder
