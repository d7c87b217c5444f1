"""Phase 2's encoder: the real model's ONNX export, interchangeable with the torch encoder
in every pooling mode (an index built by one is extended by the other); torch only where
the export cannot run, said in status; and the one place that picks the device."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.encode.batching import by_length
from desktop_search.core.encode.device import DEVICE_ENV, choose_device, providers_for
from desktop_search.core.encode.encoder import Encoder
from desktop_search.core.encode.model_folder import POOLING_MODES, default_model_path, describe
from desktop_search.core.encode.onnx_runner import (
    PARITY,
    SHARED_EXPORTS_VARIABLE,
    export_path,
    min_cosine,
)
from desktop_search.core.encode.passage_encoder import PassageEncoder
from desktop_search.core.engine import Engine

from .test_query_encoder import real_sentences

POOLING_CONFIG = {
    "mean": {"pooling_mode_mean_tokens": True},
    "cls": {"pooling_mode_cls_token": True},
    "max": {"pooling_mode_max_tokens": True},
}

#: These tests are about a data folder's own export (see conftest).
pytestmark = pytest.mark.usefixtures("own_exports")


def model_folder(root: Path, mode: str, *, without: tuple[str, ...] = ()) -> Path:
    """The embedded model's files (linked, not copied) with ``mode`` pooling in its
    sentence-transformers config, and without the files named in ``without``."""
    folder = root / f"model-{mode}-{len(without)}"
    shutil.copytree(default_model_path(), folder, copy_function=os.symlink)
    for name in without:
        (folder / name).unlink()
    pooling = folder / "1_Pooling" / "config.json"
    config = {"word_embedding_dimension": 384, **POOLING_CONFIG[mode]}
    pooling.unlink()
    pooling.write_text(json.dumps(config), encoding="utf-8")
    return folder


def with_export(data_dir: Path, folder: Path | None, export: Path) -> Path:
    """A data folder holding ``export`` as ``folder``'s export, as phase 2 leaves it (the
    network ends at the token vectors, so every pooling mode's folder, with the same
    weights, runs the same file)."""
    dest = export_path(data_dir, describe(folder))
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(export, dest)
    return data_dir


@pytest.mark.slow
def test_phase_two_vectors_match_torch_in_every_pooling_mode(
    tmp_path, own_export, encoder, fixture_data
):
    texts = real_sentences(fixture_data)
    for mode in POOLING_MODES:
        folder = model_folder(tmp_path, mode)
        onnx = PassageEncoder(with_export(tmp_path / f"data-{mode}", folder, own_export), folder)
        assert onnx.pooling == mode
        got = onnx.encode(texts)
        assert onnx.backend == "onnx on cpu", mode
        torch_side = Encoder(folder)
        torch_side._model = encoder.model  # the same weights, loaded once
        assert torch_side.model_id == onnx.model_id  # one vector set, whichever writes it
        assert min_cosine(got, torch_side.encode(texts)) >= PARITY, mode


def copy_docs(fixture_data: Path, dest: Path, names: list[str]) -> Path:
    dest.mkdir(parents=True)
    for name in names:
        shutil.copy(fixture_data / "docs" / "rst" / name, dest / name)
    return dest


def top_file(engine: Engine, text: str) -> str:
    return engine.search(text, k=1, mode="semantic")[0].path


@pytest.mark.slow
def test_an_index_built_with_torch_is_extended_by_the_export_and_back(
    tmp_path, own_export, encoder, fixture_data
):
    data = with_export(tmp_path / "data", None, own_export)
    first = copy_docs(fixture_data, tmp_path / "a", ["glossary.rst.txt"])
    second = copy_docs(fixture_data, tmp_path / "b", ["about.rst.txt"])
    with Engine(data, encoder=encoder) as engine:  # torch writes the first vectors
        engine.index([str(first)])
        texts = {
            path: text
            for path, text in engine.store.conn.execute(
                "SELECT f.path, p.text FROM passages p JOIN files f ON f.id = p.file_id"
            )
        }
    with Engine(data) as engine:  # the export adds the second folder's
        before = engine.encoder.texts_encoded
        report = engine.index([str(second)])
        assert engine.status()["model_backend"] == "onnx on cpu"
        assert engine.encoder.texts_encoded - before == report.passages_embedded > 0
        assert engine.pending()["passages"] == 0
        for path, text in texts.items():
            assert top_file(engine, text) == path
        second_text = engine.store.conn.execute(
            "SELECT p.text FROM passages p JOIN files f ON f.id = p.file_id WHERE f.path LIKE ?",
            (f"{second}%",),
        ).fetchone()[0]
        assert top_file(engine, second_text).startswith(str(second))
    with Engine(data, encoder=encoder) as engine:  # and torch again finds both
        assert top_file(engine, second_text).startswith(str(second))
        for path, text in texts.items():
            assert top_file(engine, text) == path
    assert Engine.read_status(data)["model_backend"] == "onnx on cpu"


def test_a_model_the_export_cannot_run_falls_back_to_torch_and_status_says_why(
    tmp_path, fixture_data, own_export
):
    folder = model_folder(tmp_path, "mean", without=("tokenizer.json",))
    docs = copy_docs(fixture_data, tmp_path / "docs", ["about.rst.txt"])
    with Engine(tmp_path / "data", model_path=folder) as engine:
        engine.index([str(docs)])
        backend = engine.status()["model_backend"]
        assert backend == "torch on cpu (the model folder has no tokenizer.json)"
        stored = engine.encoder.encode(["How do I renew my passport?"])
    assert Engine.read_status(tmp_path / "data")["model_backend"] == backend
    onnx = PassageEncoder(with_export(tmp_path / "other", None, own_export))
    assert min_cosine(onnx.encode(["How do I renew my passport?"]), stored) >= PARITY


@pytest.mark.slow
def test_a_damaged_export_is_made_again_in_a_child_process(tmp_path, own_export):
    data = with_export(tmp_path / "data", None, own_export)
    file = export_path(data, describe())
    file.write_bytes(b"not an onnx file")
    onnx = PassageEncoder(data)
    got = onnx.encode(["How do I renew my passport?", "x"])
    assert onnx.backend == "onnx on cpu" and onnx.export_seconds is not None
    assert file.stat().st_size > 1_000_000  # made again, and checked against torch there
    fresh = PassageEncoder(with_export(tmp_path / "fresh", None, own_export))
    assert min_cosine(got, fresh.encode(["How do I renew my passport?", "x"])) >= PARITY


def test_data_folders_that_share_an_exports_folder_share_the_export(
    tmp_path, own_export, monkeypatch
):
    shared = tmp_path / "exports"
    monkeypatch.setenv(SHARED_EXPORTS_VARIABLE, str(shared))
    with_export(tmp_path / "first", None, own_export)  # as the first folder's phase 2 left it
    assert export_path(tmp_path / "second", describe()).parent == shared
    onnx = PassageEncoder(tmp_path / "second")
    assert onnx.encode(["x"]).shape == (1, onnx.dim)
    assert onnx.backend == "onnx on cpu" and onnx.export_seconds is None  # none made
    assert not (tmp_path / "second" / "models").exists()


def test_the_device_is_the_first_gpu_onnxruntime_offers_unless_pinned(monkeypatch):
    cpu, cuda = "CPUExecutionProvider", "CUDAExecutionProvider"
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    assert choose_device([cpu]) == "cpu"
    assert choose_device([cuda, cpu]) == "cuda"
    assert choose_device(["CoreMLExecutionProvider", cpu]) == "coreml"
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert choose_device([cuda, cpu]) == "cpu"
    monkeypatch.setenv(DEVICE_ENV, "coreml")
    assert choose_device([cuda, cpu]) == "cpu"  # pinned to one this build lacks
    assert providers_for("cuda") == [cuda, cpu] and providers_for("cpu") == [cpu]


def test_a_token_budget_caps_rows_times_width_and_keeps_input_order():
    ids = [[1] * n for n in (5, 40, 3, 40, 12, 7, 1)]
    widths: list[tuple[int, int]] = []

    def forward(batch: list[list[int]]) -> np.ndarray:
        widths.append((len(batch), max(len(x) for x in batch)))
        return np.array([[len(x)] for x in batch], dtype=np.float32)

    out = by_length(ids, 1, 32, forward, token_budget=80)
    assert out[:, 0].tolist() == [len(x) for x in ids]
    assert widths[0] == (2, 40)  # the two longest: 2 x 40 tokens
    assert all(rows * width <= 80 or rows == 1 for rows, width in widths)
    assert sum(rows for rows, _ in widths) == len(ids)
