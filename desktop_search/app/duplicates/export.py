"""Exporting the Duplicates tab's groups to a file the user picks.

The format follows the file's suffix (.json, else CSV), so a name typed without one gets
the suffix of the filter chosen in the dialog.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_search.core.engine import Report


def write_report(report: Report, path: str | Path) -> None:
    """Write report as CSV or JSON, by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(
            json.dumps(report.as_json(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
    else:
        path.write_text(report.to_csv(), encoding="utf-8", newline="")


def ask_export_path(parent: QWidget) -> str | None:
    """The file to export to, with a suffix; None when the user cancels."""
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        "Export duplicates",
        str(Path.home() / "duplicates.csv"),
        "CSV (*.csv);;JSON (*.json)",
    )
    if not name:
        return None
    if not Path(name).suffix:
        name += ".json" if "json" in chosen.lower() else ".csv"
    return name
