"""`adapt` learns from the index itself, `--activate` and `switch-model` swap the model."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.encode.encoder import default_model_path
from desktop_search.core.store.catalog import Store


@pytest.mark.slow  # real training steps
def test_adapt_from_the_index_then_switch_and_back(tmp_path, fixture_data):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("colorsys", "keyword", "uu", "html"):
        shutil.copy(
            fixture_data / "docs" / "rst" / "library" / f"{name}.rst.txt", docs / f"{name}.rst"
        )
    data, out = tmp_path / "data", tmp_path / "adapted"
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(docs), "--data-dir", str(data)]).exit_code == 0
    result = runner.invoke(
        cli,
        [
            "adapt",
            "--out",
            str(out),
            "--data-dir",
            str(data),
            "--max-pairs",
            "8",
            "--batch-size",
            "4",
            "--activate",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "from the index in" in result.stderr
    with Store(data) as store:
        assert store.get_meta("active_model") == str(out)
        models = {r[0] for r in store.conn.execute("SELECT DISTINCT model FROM vectors")}
    assert len(models) == 2  # both vector sets are kept
    found = json.loads(
        runner.invoke(
            cli, ["search", "colour space conversion", "--data-dir", str(data), "--json"]
        ).stdout
    )
    assert found["results"][0]["path"].endswith("colorsys.rst")
    back = runner.invoke(cli, ["switch-model", "--default", "--data-dir", str(data)])
    assert back.exit_code == 0, back.output
    with Store(data) as store:
        assert store.get_meta("active_model") == str(default_model_path())
    assert runner.invoke(cli, ["switch-model", "--data-dir", str(data)]).exit_code == 2


def test_a_vanished_active_model_falls_back_to_the_default(tmp_path):
    from desktop_search.core.engine import Engine

    data = tmp_path / "data"
    with Store(data) as store, store.write():
        store.set_meta("active_model", str(tmp_path / "deleted-model"))
    engine = Engine(data, writer=False)
    try:
        assert engine.encoder.path == default_model_path()
    finally:
        engine.close()
