"""What ``status`` and the app's lists show of an index: counts, problems, a summary.

Mixed into ``Store``, beside ``RootRows`` and ``VectorRows``; reads only.
"""

from __future__ import annotations

import sqlite3


class SummaryRows:
    """Mixed into ``Store``: counts of files by state, the problems, and both together."""

    conn: sqlite3.Connection  # and get_meta(), roots(), pending_counts(): Store's

    def counts(self) -> dict[str, int]:
        c = self.conn
        return {
            "files": c.execute("SELECT count(*) FROM files WHERE state = 'ok'").fetchone()[0],
            "failed": c.execute("SELECT count(*) FROM files WHERE state = 'error'").fetchone()[0],
            "skipped": c.execute("SELECT count(*) FROM files WHERE state = 'skipped'").fetchone()[
                0
            ],
            "passages": c.execute("SELECT count(*) FROM passages").fetchone()[0],
        }

    def summary(self, model: str | None = None) -> dict:
        """What ``status`` shows: roots, counts and problems (no model needed to read it:
        what is pending is counted for ``model``, by default the one the index was last
        written with)."""
        model = model or self.get_meta("model_id")
        return {
            "roots": [r["path"] for r in self.roots()],
            **self.counts(),
            "passages_pending": self.pending_counts(model)["passages"] if model else 0,
            "problems": self.problems(),
        }

    def problems(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT path, state, error FROM files WHERE state != 'ok' ORDER BY path"
        ).fetchall()
        return [{"path": r[0], "state": r[1], "error": r[2]} for r in rows]
