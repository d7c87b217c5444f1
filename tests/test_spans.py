"""The span model: a passage says which page, slide, sheet or message it comes from."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from desktop_search.core.search.searcher import PassageHit
from desktop_search.core.search.spans import Span
from desktop_search.core.store.catalog import NewPassage, Store
from desktop_search.core.store.schema import span_columns


def _save(store: Store, path: str, passages: list[NewPassage]) -> list[int]:
    added, _ = store.save_file(
        path=path, root_id=None, size=1, mtime_ns=1, content_hash=path, kind="pptx",
        passages=passages,
    )  # fmt: skip
    return added


def test_spans_are_named_as_results_show_them():
    assert Span("page", 7).text() == "page 7"
    assert Span("page", 3, "recognised text").text() == "page 3 · recognised text"
    assert Span("slide", 7).text() == "slide 7"
    assert Span("sheet", 2, "Costs").text() == "sheet Costs"
    assert Span("message", 4, "Budget — Ann <a@b.c> — 2024-03-01").text().startswith("Budget")
    # shown after the archive's name: "bundle.zip ▸ folder/report.pdf"
    assert Span("member", 1, "folder/report.pdf").text() == "▸ folder/report.pdf"
    assert Span("chapter", 2, "The Storm").text() == "The Storm"
    assert Span.of(None, None, None) is None
    assert Span.of(5, None, None) == Span("page", 5)  # a PDF page of an older index
    assert Span("slide", 7).page is None and Span("page", 7).page == 7


def test_a_hit_carries_its_span_to_json_and_page_only_for_a_pdf_page():
    slide = PassageHit(1, "text", None, 0, 4, 0.5, [], Span("slide", 7))
    assert slide.as_json()["span"] == {"kind": "slide", "n": 7, "label": None}
    assert slide.as_json()["page"] is None
    pdf = PassageHit(2, "text", 3, 0, 4, 0.5, [])
    assert pdf.as_json()["span"] == {"kind": "page", "n": 3, "label": None}
    assert pdf.as_json()["page"] == 3
    assert PassageHit(3, "text", None, 0, 4, 0.5).as_json()["span"] is None


def test_passages_store_their_span_kind_and_label(tmp_path):
    with Store(tmp_path) as store:
        ids = _save(
            store,
            "/d/talk.pptx",
            [
                NewPassage(0, "first slide", 0, 11, 1, "h0", "slide", None),
                NewPassage(1, "costs row", 13, 22, 2, "h1", "sheet", "Costs"),
            ],
        )
        rows = store.passages_by_id(ids)
    assert [(rows[i]["page"], rows[i]["span"], rows[i]["label"]) for i in ids] == [
        (1, "slide", None),
        (2, "sheet", "Costs"),
    ]


def test_an_index_from_before_span_kinds_gains_them_and_keeps_its_pages(tmp_path):
    with Store(tmp_path) as store:
        (pid,) = _save(store, "/d/a.pdf", [NewPassage(0, "on page three", 0, 13, 3, "h")])
    conn = sqlite3.connect(tmp_path / "index.db")
    conn.execute("ALTER TABLE passages DROP COLUMN label")
    conn.execute("ALTER TABLE passages DROP COLUMN span")
    conn.commit()
    old = sqlite_utils.Database(conn)  # a reader that may not write selects NULLs instead
    assert span_columns(old, readonly=True) == "NULL, NULL"
    assert "span" not in {c.name for c in old["passages"].columns}
    conn.close()
    with Store(tmp_path) as store:  # a writer adds the columns; the old passage is kept
        row = store.passages_by_id([pid])[pid]
        assert (row["page"], row["span"]) == (3, None)
        assert Span.of(row["page"], row["span"], row["label"]) == Span("page", 3)
        (new,) = _save(store, "/d/b.pptx", [NewPassage(0, "a slide", 0, 7, 2, "h2", "slide")])
        assert store.passages_by_id([new])[new]["span"] == "slide"
