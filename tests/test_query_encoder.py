"""The query side's encoder: the real model exported to ONNX, checked against the torch
encoder on real sentences in every pooling mode, and its fallbacks (no export yet, a
damaged export, a data folder it may not write)."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.encode.encoder import Encoder
from desktop_search.core.encode.model_folder import POOLING_MODES, default_model_path, describe
from desktop_search.core.encode.onnx_export import PARITY
from desktop_search.core.encode.onnx_runner import OnnxRunner, export_path, min_cosine
from desktop_search.core.encode.query_encoder import QueryEncoder, has_export

#: These tests are about a data folder's own export (see conftest).
pytestmark = pytest.mark.usefixtures("own_exports")


def real_sentences(fixture_data: Path) -> list[str]:
    """STS-B sentences, plus Python-docs paragraphs long enough to be truncated."""
    with open(fixture_data / "stsb" / "sts-dev.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    sentences = [r[5] for r in rows[:20]] + [r[6] for r in rows[20:40]]
    rst = (fixture_data / "docs" / "rst" / "glossary.rst.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in rst.split("\n\n") if len(p.strip()) > 200]
    return sentences + paragraphs[:6] + ["\n\n".join(paragraphs[:8])]


def test_the_export_matches_torch_in_every_pooling_mode(own_export, encoder, fixture_data):
    texts = real_sentences(fixture_data)
    longest = max(len(encoder.tokenizer(t)["input_ids"]) for t in texts)
    assert longest > encoder.max_seq_length  # one text is cut where torch cuts it
    for mode in POOLING_MODES:
        for normalize in (True, False):
            torch_side = Encoder(pooling=mode, normalize=normalize)
            torch_side._model = encoder.model  # same weights, loaded once
            info = describe(pooling=mode, normalize=normalize)
            got = OnnxRunner(own_export, info).encode(texts)
            ref = torch_side.encode(texts)
            assert min_cosine(got, ref) >= PARITY, (mode, normalize)
            norms = np.linalg.norm(got, axis=1)
            if normalize:
                assert np.allclose(norms, 1.0, atol=1e-5)
            else:
                assert np.allclose(norms, np.linalg.norm(ref, axis=1), rtol=1e-3)


def test_the_folder_config_decides_pooling_and_the_vector_set_name(encoder):
    info = describe()
    assert (info.pooling, info.normalize) == ("mean", True)  # all-MiniLM-L6-v2's config
    assert info.model_id == encoder.model_id and info.dim == encoder.dim == 384


def test_a_reader_without_an_export_uses_torch_once_and_leaves_one(tmp_path, encoder):
    stale = tmp_path / "models" / "onnx" / "weights-of-an-earlier-model.onnx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    first = QueryEncoder(tmp_path)
    assert first.backend_name == ""  # nothing loaded before the first encode
    got = first.encode(["how do I renew my passport"])
    assert first.backend_name == "onnx"
    assert export_path(tmp_path, first.info).exists() and not stale.exists()
    second = QueryEncoder(tmp_path)
    again = second.encode(["how do I renew my passport"])
    assert second.backend_name == "onnx"
    ref = encoder.encode(["how do I renew my passport"])
    assert min_cosine(got, ref) >= PARITY and min_cosine(again, ref) >= PARITY


def test_a_damaged_export_is_made_again(tmp_path, own_export):
    file = export_path(tmp_path, describe())
    file.parent.mkdir(parents=True)
    file.write_bytes(b"\0" * 4096)
    reader = QueryEncoder(tmp_path)
    reader.encode(["a query"])
    assert reader.backend_name == "onnx"
    assert file.stat().st_size == own_export.stat().st_size


def test_a_reader_that_may_not_write_runs_torch_and_writes_nothing(tmp_path):
    reader = QueryEncoder(tmp_path, writable=False)
    assert reader.encode(["a query"]).shape == (1, 384)
    assert reader.backend_name == "torch" and not has_export(tmp_path)


def test_changed_weights_need_a_new_export(tmp_path):
    """A model retrained into the same folder must not reuse the old export."""
    folder = tmp_path / "model"
    folder.mkdir()
    for item in default_model_path().iterdir():  # links, except the file we change
        if item.name == "config.json":
            shutil.copy(item, folder / item.name)
        else:
            (folder / item.name).symlink_to(item)
    before = describe(folder).weights_key()
    config = folder / "config.json"
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert describe(folder).weights_key() != before
    assert describe(default_model_path()).weights_key() != before  # the path counts too
