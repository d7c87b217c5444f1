"""Every format through the real Engine: a unique phrase is found by keyword and by
meaning, in its span (slide, sheet, chapter, message), from files made by each format's
own tools (tests/fixtures/formats/make_fixtures.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli

from .conftest import FIXTURES
from .corpus import indexed_engine

FORMATS = FIXTURES / "formats"

# (file, keyword query, paraphrase, the span results show: None where a file has none)
CASES = [
    (
        "lighthouse.odt",
        "lighthouse keeper staircase",
        "the man who tends a coastal beacon painted its stairs",
        None,
    ),
    ("bees.odp", "honeybee colonies swarm", "insects leave a crowded nest", "slide 2"),
    ("bees.odp", "spare hive body", None, "slide 2"),  # a speaker note
    (
        "volcanoes.pptx",
        "basalt hexagonal columns",
        "molten rock hardened into six-sided pillars",
        "slide 3",
    ),
    ("volcanoes.pptx", "evacuation drill", None, "slide 2"),  # a speaker note
    ("volcanoes.pptx", "tholeiitic", None, "slide 3"),  # a table cell
    ("volcanoes.pptx", "fumarole crater rim", None, "slide 3"),  # a grouped shape
    ("expenses.xlsx", "Berlin trade fair", "Q3 travel costs for Berlin", "sheet Travel"),
    (
        "harvest.xls",
        "cherry tomatoes kilograms",
        "how much fruit was picked from the vegetable garden",
        "sheet Harvest",
    ),
    ("loans.ods", "lichens borrower", "when is the library book due back", "sheet Loans"),
    ("training.csv", "hill repeats", "a long jog beside the water with uphill sprints", None),
    ("birds.tsv", "kingfisher mill pond", "a bird seen by the water", None),
    ("harbour.epub", "gale tore the sails", "boats hiding from a violent wind", "The Storm"),
    ("letter.rtf", "grandfather clock", "fixing an old pendulum timepiece", None),
    (
        "pottery.eml",
        "kiln glaze bowls",
        "when the ceramics oven will be heated",
        "Pottery class schedule — Ines Moreau <ines@example.org> — 2024-03-05 09:15",
    ),
    (
        "archive.mbox",
        "submarine cable Cornwall",  # in the message's .docx attachment
        "an undersea wire was joined near the English coast",
        "Survey report — Hamid Rahimi <hamid@example.org> — 2024-03-08 16:40",
    ),
    (
        "archive.mbox",
        "compost runner beans",
        "gardening chores for the weekend",
        "Allotment rota — Ada Lindqvist <ada@example.org> — 2024-03-04 08:00",
    ),
    (
        "Maildir",
        "derailleur cable",
        "my bike's gear wire broke",
        "Bicycle repair — Noor <noor@example.org> — 2024-04-02 10:00",
    ),
]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, encoder):
    base = tmp_path_factory.mktemp("formats")
    root = base / "docs"
    shutil.copytree(FORMATS, root, ignore=shutil.ignore_patterns("*.py"))
    (root / "Maildir" / "tmp" / "1.partial").write_text("Subject: half-delivered\n\nkumquat")
    engine, report = indexed_engine(root, base / "data", encoder)
    yield engine, root, report, base / "data"
    engine.close()


def _where(path: str) -> str:
    """A result's file name, or "Maildir" for a Maildir's message."""
    p = Path(path)
    return "Maildir" if p.parent.parent.name == "Maildir" else p.name


def test_every_format_is_indexed_and_a_maildir_is_one_mailbox(indexed):
    engine, root, report, _ = indexed
    assert report.files_failed == 0, report.errors
    # 12 files and the Maildir's three messages; its tmp/ (mail being delivered) is not read
    assert report.files_added == 15
    assert engine.search("kumquat", mode="keyword") == []
    messages = engine.search("Noor", mode="keyword", k=10)
    assert sorted(r.passages[0].span.label.split(" — ")[0] for r in messages) == [
        "Bicycle repair",
        "Choir rehearsal",
        "Sourdough starter",
    ]


@pytest.mark.parametrize("name,words,_paraphrase,span", CASES)
def test_a_unique_phrase_is_found_by_keyword_in_its_span(indexed, name, words, _paraphrase, span):
    engine = indexed[0]
    results = engine.search(words, mode="keyword", k=3)
    assert results and _where(results[0].path) == name
    hit = results[0].passages[0]
    assert (hit.span.text() if hit.span else None) == span


@pytest.mark.parametrize("name,_words,paraphrase,span", [c for c in CASES if c[2]])
def test_a_paraphrase_is_found_by_meaning_in_its_span(indexed, name, _words, paraphrase, span):
    engine = indexed[0]
    results = engine.search(paraphrase, mode="semantic", k=3)
    assert _where(results[0].path) == name, [_where(r.path) for r in results]
    hit = results[0].passages[0]
    assert (hit.span.text() if hit.span else None) == span


def test_the_cli_shows_the_span_and_its_json_carries_it(indexed):
    data = str(indexed[3])
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "--data-dir", data, "--mode", "keyword", "basalt"])
    assert out.exit_code == 0, out.output
    assert "[slide 3]" in out.output
    out = runner.invoke(
        cli, ["search", "--data-dir", data, "--mode", "keyword", "--json", "Berlin trade fair"]
    )
    assert out.exit_code == 0, out.output
    hit = json.loads(out.output)["results"][0]["passages"][0]
    assert hit["span"] == {"kind": "sheet", "n": 2, "label": "Travel"}
    assert hit["page"] is None


def test_a_message_opens_as_a_private_eml(indexed):
    engine, root, _, _ = indexed
    hit = engine.search("submarine cable Cornwall", mode="keyword")[0]
    span = hit.passages[0].span
    target = engine.message_file(hit.path, span.n)
    assert target.suffix == ".eml" and target.stat().st_mode & 0o077 == 0
    assert b"Subject: Survey report" in target.read_bytes()
    maildir = engine.search("derailleur", mode="keyword")[0].path
    assert b"Bicycle repair" in engine.message_file(maildir).read_bytes()
    assert engine.message_file(str(root / "pottery.eml")) == root / "pottery.eml"
    out = CliRunner().invoke(cli, ["message", hit.path, str(span.n)])
    assert out.exit_code == 0 and "Subject: Survey report" in out.output


def test_the_preview_shows_the_hits_span(indexed):
    from desktop_search.core.search.preview import ExtractCache, PreviewRequest, build_preview

    engine = indexed[0]
    slide = engine.search("basalt", mode="keyword")[0]
    doc = build_preview(PreviewRequest(1, slide.path, slide.passages[0]), ExtractCache())
    assert "Giant" in doc.html and "evacuation drill" not in doc.html  # slide 3, not slide 2
    mail = engine.search("submarine cable", mode="keyword")[0]
    doc = build_preview(PreviewRequest(2, mail.path, mail.passages[0]), ExtractCache())
    assert "Subject: Survey report" in doc.html and "compost" not in doc.html


def test_the_type_filter_and_facets_count_maildir_messages_as_mail(indexed):
    from desktop_search.core.search.searcher import Filters

    engine = indexed[0]
    found = engine.search("Noor", mode="keyword", k=10, filters=Filters(types=(".eml",)))
    assert len(found) == 3
    types = engine.facets().types
    assert types[".eml"] == 4 and types[".pptx"] == 1 and types[".xlsx"] == 1


def test_damaged_files_and_bombs_are_one_line_problems_in_status(tmp_path, encoder):
    import zipfile

    root = tmp_path / "docs"
    root.mkdir()
    data = (FORMATS / "volcanoes.pptx").read_bytes()
    (root / "cut.pptx").write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(root / "bomb.odt", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("content.xml", b" " * (130 * 2**20))
    (root / "fine.csv").write_text("City,Cost\nBerlin,1240\n")
    engine, report = indexed_engine(root, tmp_path / "data", encoder)
    with engine:
        problems = {Path(p["path"]).name: p["error"] for p in engine.status()["problems"]}
    assert report.files_added == 1 and report.files_failed == 2
    assert set(problems) == {"cut.pptx", "bomb.odt"}
    assert problems["bomb.odt"] == "the document expands to more than 64 MB"
    assert all("\n" not in e and len(e) <= 300 for e in problems.values()), problems


def test_the_wizards_estimate_counts_a_maildir_as_mail(indexed):
    engine, root, _, _ = indexed
    est = engine.estimate([str(root)])
    assert est.by_type[".eml"] == 4 and est.by_type[".mbox"] == 1
    assert "(none)" not in est.by_type and est.files == 15
