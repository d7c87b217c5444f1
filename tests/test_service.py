"""The indexing process's job runner, driven directly (no pipe, no window): what it reports
for a job, and that a failing job reports an error and still ends."""

from __future__ import annotations

from pathlib import Path

from .corpus import BREAD_TEXT, CAR_TEXT


def two_docs(tmp_path: Path) -> Path:
    """A folder with two short real-language files."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "car.txt").write_text(CAR_TEXT, encoding="utf-8")
    (docs / "bread.md").write_text(BREAD_TEXT, encoding="utf-8")
    return docs


def test_jobs_report_start_progress_files_result_and_end(tmp_path, encoder):
    from desktop_search.core.engine import Engine
    from desktop_search.core.service.jobs import Service
    from desktop_search.core.service.messages import Job

    docs = two_docs(tmp_path)
    events: list = []
    with Engine(tmp_path / "data", encoder=encoder, embed_batch=8) as engine:
        service = Service(engine, events.append)
        service.run(Job(1, "add", {"folders": [str(docs)], "include": [], "exclude": []}))
        seen = [(e.what, e.kind) for e in events if e.job == 1]
        assert seen[0] == ("started", "sync") and seen[-1] == ("done", "add")
        assert ("progress", "sync") in seen
        assert sorted(e.payload for e in events if e.what == "file") == [
            str(docs / "bread.md"),
            str(docs / "car.txt"),
        ]
        result = next(e.payload for e in events if e.what == "finished")
        assert result.kind == "sync" and result.report.files_added == 2
        assert [e.payload["files"] for e in events if e.what == "stats"][-1] == 2

        events.clear()
        service.run(Job(2, "changes", "not a batch of changes"))
        assert [e.what for e in events if e.job == 2] == ["started", "error", "finished", "done"]

        events.clear()
        service.run(Job(3, "drop", str(docs / "car.txt")))
        path, removed = next(e.payload for e in events if e.what == "finished")
        assert path == str(docs / "car.txt") and removed >= 1
        assert engine.stats()["files"] == 1


def test_phase_two_counts_its_backlog_once_before_it_starts(tmp_path, encoder):
    """The backlog count scans every passage: the service reads it once to decide whether to
    embed and hands that number to the run, which used to count it again."""
    from desktop_search.core.engine import Engine
    from desktop_search.core.service.jobs import Service

    docs = two_docs(tmp_path)
    events: list = []
    with Engine(tmp_path / "data", encoder=encoder, embed_batch=8) as engine:
        engine.index([str(docs)], embed=False)
        backlog = engine.pending()["passages"]
        assert backlog > 0
        # The service reads the backlog on this thread's connection (as ``stats`` does for
        # the window), the run embeds on the writer's: that one must not count it again.
        reader: list[str] = []
        writer: list[str] = []
        engine._thread_store().conn.set_trace_callback(reader.append)
        engine.store.conn.set_trace_callback(writer.append)
        Service(engine, events.append).embed(lambda: False)
        engine._thread_store().conn.set_trace_callback(None)
        engine.store.conn.set_trace_callback(None)

        counting = "count(DISTINCT p.file_id)"  # Store.pending_counts
        first_write = next(i for i, s in enumerate(writer) if s.startswith("INSERT"))
        assert not [s for s in writer[:first_write] if counting in s]
        assert any(counting in s for s in reader)
        assert engine.pending()["passages"] == 0
        progress = [e.payload for e in events if e.what == "progress"]
        assert progress[0].passages_total == backlog
        assert progress[-1].passages_embedded == backlog
