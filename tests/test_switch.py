"""Switching the active model: search works throughout, the swap is atomic, and
switching back to a model whose vectors are stored costs no forward pass."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from desktop_search.core.encode.encoder import Encoder

from .corpus import BREAD_TEXT, CAR_TEXT, indexed_engine


def test_switch_and_back(tmp_path, fixture_data, encoder):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "bread.md").write_text(BREAD_TEXT)
    shutil.copy(
        fixture_data / "docs" / "rst" / "library" / "colorsys.rst.txt", root / "colorsys.rst"
    )
    engine, _ = indexed_engine(root, tmp_path / "data", encoder)
    n_hashes = engine.store.conn.execute(
        "SELECT count(DISTINCT text_hash) FROM passages"
    ).fetchone()[0]
    other = Encoder(encoder.path, pooling="max")
    assert other.model_id != encoder.model_id

    stop = threading.Event()
    seen_models: list[str] = []
    errors: list[str] = []

    def search_loop() -> None:
        while not stop.is_set():
            try:
                s = engine.searcher()
                results = s.search("automobile maintenance", k=1)
                assert Path(results[0].path).name == "car.txt"
                # the encoder and the vectors always belong to the same model
                assert s.encoder.model_id == s.vectors.model_id
                seen_models.append(s.encoder.model_id)
                stop.wait(0.05)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        assert engine.switch_model(other)
        while len(seen_models) < 3 or seen_models[-1] != other.model_id:
            if errors:
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert seen_models[0] == encoder.model_id and seen_models[-1] == other.model_id
    # every distinct passage once, plus one query per search made with the new model
    assert other.texts_encoded == n_hashes + seen_models.count(other.model_id)
    assert engine.vectors.model_id == other.model_id
    assert engine.store.get_meta("active_model") == str(other.path)

    before = encoder.texts_encoded
    assert engine.switch_model(encoder)
    assert encoder.texts_encoded == before  # its vectors were still stored
    assert Path(engine.search("automobile maintenance", k=1)[0].path).name == "car.txt"
    engine.close()


def test_cancelled_switch_keeps_the_old_model(tmp_path, encoder):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "car.txt").write_text(CAR_TEXT)
    engine, _ = indexed_engine(root, tmp_path / "data", encoder)
    cancel = threading.Event()
    cancel.set()
    assert engine.switch_model(Encoder(encoder.path, pooling="cls"), cancel=cancel) is False
    assert engine.encoder is encoder and engine.vectors.model_id == encoder.model_id
    engine.close()
