"""The Engine's OCR stage and archive members: ``recognise_pending`` (read scans that
phase 1 left waiting), ``ocr_pending``, ``recognised_text`` (a scan's cached text, for the
preview) and ``unpack_member`` (what "Open" hands to the desktop for a file inside a zip).
A mixin of the Engine, like ``engine_care``, to keep engine.py short.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from desktop_search.core.extract.archive import extract_member
from desktop_search.core.extract.extracted import Extracted
from desktop_search.core.index.ocr_stage import OcrReport
from desktop_search.core.store.catalog import DB_NAME
from desktop_search.core.store.database import damage_is_named
from desktop_search.core.sync_report import FileCallback, Progress


class ScansMixin:
    """Needs the Engine's ``ocr_stage`` (None for a reading engine), ``data_dir``,
    ``_need_writer`` and ``_thread_store``."""

    def recognise_pending(
        self,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        yield_to: Callable[[], bool] | None = None,
        on_file: FileCallback | None = None,
    ) -> OcrReport:
        """The OCR stage: read the text of scans and images that phase 1 left waiting (see
        ``ocr_stage``); stops early on ``cancel`` or when ``yield_to()`` is true."""
        self._need_writer("recognising text")
        with damage_is_named(self.data_dir / DB_NAME):
            return self.ocr_stage.run(
                progress=progress, cancel=cancel, pause=pause, yield_to=yield_to, on_file=on_file
            )

    def ocr_pending(self) -> int:
        """Files waiting for the OCR stage (0 for a reading engine)."""
        return self.ocr_stage.pending() if self.ocr_stage is not None else 0

    def recognised_text(self, path: str) -> Extracted | None:
        """A scan's or image's recognised text, when the OCR cache holds all of it (the
        preview shows it: the file itself has no text to extract). Writing engine only."""
        if self.ocr_stage is None:
            return None
        return self.ocr_stage.recognised(path, self._thread_store().conn)

    def unpack_member(self, archive: str, member: str) -> Path:
        """One archive member in a new private temporary folder, for "Open" to hand to the
        desktop (an archive's members are indexed in memory, never unpacked)."""
        return extract_member(archive, member)
