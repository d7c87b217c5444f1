"""Filters typed in the query: the parser, table-driven, then real searches under each one
(the real model and SQLite, a folder whose name is not UTF-8 among them)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine.api import Engine
from desktop_search.core.search.filters import Filters
from desktop_search.core.search.query_filters import read_query

from .corpus import BREAD_TEXT, CAR_TEXT


def _ts(*ymd: int) -> float:
    return datetime(*ymd).timestamp()


HOME = os.path.expanduser("~")
PARSED = [
    ("bread", "bread", Filters()),
    ("type:pdf taxes", "taxes", Filters(types=("pdf",))),
    ("ext:.PDF ext:md,txt x", "x", Filters(types=("pdf", "md", "txt"))),
    ("in:~/Documents/tax rent", "rent", Filters(folder=f"{HOME}/Documents/tax")),
    ('in:"/a b/c" rent', "rent", Filters(folder="/a b/c")),
    ("rent -in:~/Archive -in:/old", "rent", Filters(not_in=(f"{HOME}/Archive", "/old"))),
    ("after:2024-01-01 x", "x", Filters(after=_ts(2024, 1, 1))),
    ("before:2024-06 x", "x", Filters(before=_ts(2024, 6, 1))),
    ("date:2024 x", "x", Filters(after=_ts(2024, 1, 1), before=_ts(2025, 1, 1))),
    ("date:2024-12 x", "x", Filters(after=_ts(2024, 12, 1), before=_ts(2025, 1, 1))),
    ("date:2024-02-29 x", "x", Filters(after=_ts(2024, 2, 29), before=_ts(2024, 3, 1))),
    ("size>1M x", "x", Filters(larger_than=1 << 20)),
    ("size<10k size>=2 x", "x", Filters(smaller_than=10 << 10, larger_than=2)),
    ("size>1.5MB x", "x", Filters(larger_than=int(1.5 * (1 << 20)))),
    ('"tax return" -draft type:pdf', '"tax return" -draft', Filters(types=("pdf",))),
    ('"note:draft" ideas', '"note:draft" ideas', Filters()),
    ("see https://example.org now", "see https://example.org now", Filters()),
]
HINTED = [
    ("colour:red paint", "colour:red paint", "unknown filter"),
    ("after:yesterday x", "after:yesterday x", "after: takes a date"),
    ("date:2024-13 x", "date:2024-13 x", "date: takes a date"),
    ("before:2024-02-30 x", "before:2024-02-30 x", "before: takes a date"),
    ("size>big x", "size>big x", "a size is a number"),
    ("-type:pdf x", "-type:pdf x", "only in: can be negated"),
]


@pytest.mark.parametrize(("raw", "text", "filters"), PARSED)
def test_typed_filters_parse(raw, text, filters):
    typed = read_query(raw)
    assert (typed.text, typed.filters, typed.hints) == (text, filters, ())


@pytest.mark.parametrize(("raw", "text", "hint"), HINTED)
def test_what_is_not_understood_is_a_one_line_hint_and_stays_text(raw, text, hint):
    typed = read_query(raw)
    assert typed.text == text and typed.filters == Filters()
    assert len(typed.hints) == 1 and typed.hints[0].startswith(hint) and "\n" not in typed.hints[0]


def test_a_pasted_paragraph_holds_no_filters():
    pasted = "Note: the type:pdf file " + "word " * 30
    assert read_query(pasted) == read_query(pasted).__class__(pasted)


def test_typed_filters_win_over_the_widgets_and_left_out_folders_add_up():
    widgets = Filters(folder="/w", types=("md",), after=1.0, not_in=("/x",))
    typed = Filters(types=("pdf",), before=5.0, not_in=("/y",))
    assert widgets.merged(typed) == Filters(
        folder="/w", types=("pdf",), after=1.0, before=5.0, not_in=("/x", "/y")
    )


# -- real searches -------------------------------------------------------------------------

LATIN1 = os.fsdecode(b"caf\xe9 \xe0 la carte")  # a folder name that is not valid UTF-8
BIG = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def library(tmp_path_factory, encoder):
    root = tmp_path_factory.mktemp("typed") / "lib"
    odd = Path(root, LATIN1)
    (root / "archive").mkdir(parents=True)
    odd.mkdir()
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "bread.md").write_text(BREAD_TEXT)
    (odd / "bread notes.txt").write_text(BREAD_TEXT.replace("Sourdough", "Rye bread"))
    (root / "archive" / "old bread.txt").write_text(BREAD_TEXT + "\n\nAn old recipe.")
    # a big file of few words: the recipe padded with blank lines
    (root / "big bread.txt").write_text(BREAD_TEXT + "\n" * BIG)
    for name, when in (
        ("bread.md", (2024, 3, 15)),
        (f"{LATIN1}/bread notes.txt", (2023, 7, 1)),
        ("archive/old bread.txt", (2019, 1, 1)),
        ("big bread.txt", (2024, 9, 9)),
        ("car.txt", (2024, 6, 20)),
    ):
        os.utime(root / name, (_ts(*when), _ts(*when)))
    data = root.parent / "data"
    with Engine(data, encoder=encoder) as engine:
        report = engine.index([str(root)])
    assert report.files_failed == 0, report.errors
    engine = Engine(data, encoder=encoder, writer=False)
    yield engine, root
    engine.close()


def _found(engine: Engine, raw: str, mode: str = "hybrid") -> set[str]:
    typed = read_query(raw)
    assert not typed.hints, typed.hints
    results = engine.search(typed.text, k=20, mode=mode, filters=typed.filters)
    return {os.path.relpath(r.path, engine_root(engine)) for r in results}


def engine_root(engine: Engine) -> str:
    return engine.stats()["roots"][0]


ALL_BREAD = {"bread.md", f"{LATIN1}/bread notes.txt", "archive/old bread.txt", "big bread.txt"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bread dough", ALL_BREAD),
        ("bread dough type:md", {"bread.md"}),
        ("bread dough ext:txt", ALL_BREAD - {"bread.md"}),
        ("bread dough in:{root}/archive", {"archive/old bread.txt"}),
        ('bread dough in:"{root}/' + LATIN1 + '"', {f"{LATIN1}/bread notes.txt"}),
        ('bread dough -in:"{root}/' + LATIN1 + '"', ALL_BREAD - {f"{LATIN1}/bread notes.txt"}),
        (
            'bread dough -in:{root}/archive -in:"{root}/' + LATIN1 + '"',
            {"bread.md", "big bread.txt"},
        ),
        ("bread dough after:2024-01-01", {"bread.md", "big bread.txt"}),
        (
            "bread dough before:2024-06",
            {f"{LATIN1}/bread notes.txt", "archive/old bread.txt", "bread.md"},
        ),
        ("bread dough date:2023", {f"{LATIN1}/bread notes.txt"}),
        ("bread dough date:2024-03", {"bread.md"}),
        ("bread dough size>1M", {"big bread.txt"}),
        ("bread dough size<1M", ALL_BREAD - {"big bread.txt"}),
        ('"sourdough" -rye', ALL_BREAD - {f"{LATIN1}/bread notes.txt"}),
    ],
)
def test_search_under_each_typed_filter(library, raw, expected):
    engine, root = library
    raw = raw.replace("{root}", str(root))
    assert _found(engine, raw, "keyword") == expected
    # meaning search also brings the one other file, a weak match: the filters still hold
    assert _found(engine, raw, "hybrid") - {"car.txt"} == expected


def test_a_paraphrase_under_a_typed_filter(library):
    engine, root = library
    assert _found(engine, "automobile repairs date:2024-06", "semantic") == {"car.txt"}
    assert _found(engine, "automobile repairs date:2023", "semantic") & {"car.txt"} == set()


def test_cli_reads_typed_filters_and_names_what_it_does_not_understand(library):
    engine, root = library
    data = str(Path(engine.status()["data_dir"]))
    runner = CliRunner()
    args = ["search", "--data-dir", data, "--mode", "keyword", "--json"]
    out = runner.invoke(cli, [*args, f'bread dough in:"{root}/{LATIN1}"'])
    assert out.exit_code == 0, out.output
    paths = [r["path"] for r in json.loads(out.output)["results"]]
    assert paths == [str(root / LATIN1 / "bread notes.txt")]
    bad = runner.invoke(cli, [*args, "bread colour:red"])
    assert bad.exit_code == 1 and bad.output.count("\n") == 1
    assert 'unknown filter "colour:"' in bad.output
    only = runner.invoke(cli, [*args, "type:md"])
    assert only.exit_code == 2 and "no words to search for" in only.output


def test_cli_saves_a_search_and_runs_it_by_name(library):
    engine, root = library
    data = str(Path(engine.status()["data_dir"]))
    runner = CliRunner()
    base = ["search", "--data-dir", data, "--json"]
    saved = runner.invoke(
        cli, [*base, "--mode", "keyword", "--save", "old bread", f"bread dough in:{root}/archive"]
    )
    assert saved.exit_code == 0, saved.output
    again = runner.invoke(cli, [*base, "--saved", "old bread"])
    assert again.exit_code == 0, again.output
    out = json.loads(again.output)
    assert out["mode"] == "keyword"
    assert [r["path"] for r in out["results"]] == [str(root / "archive" / "old bread.txt")]
    missing = runner.invoke(cli, [*base, "--saved", "nope"])
    assert missing.exit_code == 1 and "no saved search named 'nope'" in missing.output
