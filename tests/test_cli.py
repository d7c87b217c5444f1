"""The CLI through click's CliRunner: exit codes, JSON shapes, messages."""

from __future__ import annotations

import json
import shutil

import click
import pytest
from click.testing import CliRunner

from desktop_search.cli import cli

from .corpus import CAR_TEXT


@pytest.fixture(scope="module")
def library(tmp_path_factory, fixture_data):
    base = tmp_path_factory.mktemp("cli")
    docs = base / "docs"
    docs.mkdir()
    (docs / "car.txt").write_text(CAR_TEXT)
    shutil.copy(fixture_data / "docs" / "rst" / "library" / "keyword.rst.txt", docs / "keyword.rst")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    data = base / "data"
    result = CliRunner().invoke(cli, ["index", str(docs), "--data-dir", str(data), "--json"])
    assert result.exit_code == 0, result.output
    return docs, data, json.loads(result.stdout)


def test_index_json_shape(library):
    _, _, report = library
    assert set(report) == {
        "files_added",
        "files_updated",
        "files_removed",
        "files_unchanged",
        "files_failed",
        "passages_embedded",
        "passages_pending",
        "files_for_ocr",
        "errors",
    }
    assert report["files_for_ocr"] == 0
    assert report["passages_embedded"] > 0 and report["passages_pending"] == 0
    assert report["files_added"] == 2 and report["files_failed"] == 1
    assert report["errors"][0]["path"].endswith("broken.pdf")
    assert "pdf" in report["errors"][0]["error"].lower()


def test_search_json_shape_and_paraphrase(library):
    docs, data, _ = library
    result = CliRunner().invoke(
        cli, ["search", "automobile maintenance", "--data-dir", str(data), "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["query"] == "automobile maintenance" and out["mode"] == "hybrid"
    assert out["pending"] == {"passages": 0, "files": 0}
    top = out["results"][0]
    assert top["path"] == str(docs / "car.txt")
    p = top["passages"][0]
    assert {"text", "page", "start", "end", "score"} <= set(p) and p["page"] is None


def test_search_text_output_with_filters(library):
    _, data, _ = library
    env = {"DESKTOP_SEARCH_HOME": str(data)}
    result = CliRunner().invoke(
        cli, ["search", "python keyword", "--type", "rst", "--mode", "keyword"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "keyword.rst" in result.output and "car.txt" not in result.output
    result = CliRunner().invoke(cli, ["search", "brakes", "--after", "2999-01-01"], env=env)
    assert result.exit_code == 0 and "no results" in result.output


def test_status_lists_failed_files(library):
    _, data, _ = library
    result = CliRunner().invoke(cli, ["status", "--data-dir", str(data), "--json"])
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["files"] == 2 and info["failed"] == 1 and info["passages_pending"] == 0
    assert info["problems"][0]["path"].endswith("broken.pdf")


def test_usage_errors_exit_2(library):
    _, data, _ = library
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["search", "x", "--mode", "fuzzy", "--data-dir", str(data)]).exit_code
        == 2
    )
    assert runner.invoke(cli, ["index", "/no/such/folder", "--data-dir", str(data)]).exit_code == 2
    assert runner.invoke(cli, ["search"]).exit_code == 2


def test_errors_exit_1_with_one_line(tmp_path):
    empty_model = tmp_path / "model"
    empty_model.mkdir()
    result = CliRunner().invoke(
        cli, ["search", "x", "--data-dir", str(tmp_path / "d"), "--model", str(empty_model)]
    )
    assert result.exit_code == 1
    assert (
        result.stderr.strip().startswith("Error:") and len(result.stderr.strip().splitlines()) == 1
    )


def test_forget_drops_the_folder(library, tmp_path):
    docs, data, _ = library
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    runner = CliRunner()
    assert runner.invoke(cli, ["forget", str(docs), "--data-dir", str(copy)]).exit_code == 0
    info = json.loads(runner.invoke(cli, ["status", "--data-dir", str(copy), "--json"]).stdout)
    assert info["roots"] == [] and info["passages"] == 0


def test_group_data_dir_applies_to_subcommands(library):
    _, data, _ = library
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "status", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["files"] == 2


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    names = cli.list_commands(click.Context(cli))  # the lazily loaded commands too
    missing = [name for name in names if f"desktop-search {name}" not in readme]
    assert missing == []
