"""Recent and saved searches, kept in the data folder so the app and the CLI share them.

One private JSON file (``searches.json``, mode 0600, replaced atomically). A saved search
is a query with its mode and filters (``search --saved NAME`` runs it, the app lists them
beside the results); recent queries feed the search box's completion and are cleared on
request. Folder paths keep their exact bytes: JSON escapes the lone surrogates of a name
that is not UTF-8 and reads them back as they were.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from desktop_search.core.errors import SearchError

from .filters import Filters

FILE = "searches.json"
MAX_RECENT = 20


@dataclass
class SavedSearch:
    name: str
    query: str
    mode: str = "hybrid"
    filters: Filters = field(default_factory=Filters)


class Searches:
    def __init__(self, data_dir: str | os.PathLike) -> None:
        self.path = Path(data_dir) / FILE

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"recent": [], "saved": []}
        return data if isinstance(data, dict) else {"recent": [], "saved": []}

    def _write(self, data: dict) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, self.path)

    # -- recent --------------------------------------------------------------------------

    def recent(self) -> list[str]:
        return [q for q in self._read().get("recent", []) if isinstance(q, str)]

    def remember(self, query: str) -> None:
        query = query.strip()
        if not query:
            return
        data = self._read()
        data["recent"] = [query, *(q for q in data.get("recent", []) if q != query)][:MAX_RECENT]
        self._write(data)

    def clear_recent(self) -> None:
        data = self._read()
        data["recent"] = []
        self._write(data)

    # -- saved ---------------------------------------------------------------------------

    def saved(self) -> list[SavedSearch]:
        out = []
        for row in self._read().get("saved", []):
            try:
                f = row.get("filters", {})
                filters = Filters(
                    **{
                        **f,
                        "types": tuple(f.get("types", ())),
                        "not_in": tuple(f.get("not_in", ())),
                    }
                )
                out.append(
                    SavedSearch(row["name"], row["query"], row.get("mode", "hybrid"), filters)
                )
            except (TypeError, KeyError, AttributeError):
                continue  # a row written by hand that we cannot read
        return out

    def get(self, name: str) -> SavedSearch:
        for s in self.saved():
            if s.name == name:
                return s
        names = ", ".join(s.name for s in self.saved()) or "none yet"
        raise SearchError(f"no saved search named {name!r} (saved: {names})")

    def save(self, search: SavedSearch) -> None:
        """Save (or replace) ``search`` under its name."""
        if not search.name.strip():
            raise SearchError("a saved search needs a name")
        data = self._read()
        rows = [r for r in data.get("saved", []) if r.get("name") != search.name]
        data["saved"] = [*rows, asdict(search)]
        self._write(data)

    def delete(self, name: str) -> None:
        data = self._read()
        data["saved"] = [r for r in data.get("saved", []) if r.get("name") != name]
        self._write(data)
