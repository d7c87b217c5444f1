"""Shared fixtures: one real encoder per test session (loading it costs seconds)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def fixture_data() -> Path:
    """Real documents and STS-B pairs cut from the shared data, kept in the repository.

    The layout mirrors ../shared/data (docs/rst, docs/html, docs/pdf, stsb); see
    tests/fixtures/README.md for where each file came from.
    """
    return FIXTURES


@pytest.fixture(scope="session", autouse=True)
def shared_exports(tmp_path_factory) -> Path:
    """One folder for the model's ONNX export, shared by every data folder the tests make
    (``DESKTOP_SEARCH_EXPORTS``, inherited by the indexing processes and CLI runs they
    start): the export is made once a session, not once a test (~25 s each). Tests of
    making the export, or of a data folder's own exports, unset it."""
    from desktop_search.core.encode.onnx_runner import SHARED_EXPORTS_VARIABLE

    folder = tmp_path_factory.mktemp("exports")
    os.environ[SHARED_EXPORTS_VARIABLE] = str(folder)
    return folder


@pytest.fixture(scope="module")
def own_exports():
    """For a module whose tests are about a data folder's own export: no shared folder."""
    from desktop_search.core.encode.onnx_runner import SHARED_EXPORTS_VARIABLE

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(SHARED_EXPORTS_VARIABLE)
        yield


@pytest.fixture(scope="session")
def own_export(encoder, tmp_path_factory) -> Path:
    """The embedded model's export, made once with the session's torch encoder (the export
    and its parity check) into a data folder of its own, as a first run leaves it."""
    from desktop_search.core.encode.onnx_runner import SHARED_EXPORTS_VARIABLE, export_path
    from desktop_search.core.encode.query_encoder import ensure_export

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(SHARED_EXPORTS_VARIABLE, raising=False)
        data = tmp_path_factory.mktemp("exported")
        file = ensure_export(encoder, data)
        assert file == export_path(data, encoder.info) and file.exists()
    return file


@pytest.fixture(scope="session")
def model_export(own_export, shared_exports) -> Path:
    """That export in the shared folder: a window test never waits for, nor runs beside,
    an export."""
    file = shared_exports / own_export.name
    shutil.copy(own_export, file)
    return file


@pytest.fixture(autouse=True)
def _windows_find_the_export(request) -> None:
    if request.node.get_closest_marker("gui"):
        request.getfixturevalue("model_export")


@pytest.fixture(scope="session")
def encoder():
    from desktop_search.core.encode.encoder import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def tokenizer():
    """The model's own tokenizer, loaded alone (chunking tests need no weights)."""
    from transformers import AutoTokenizer

    from desktop_search.core.encode.encoder import default_model_path

    return AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)


@pytest.fixture(scope="session")
def counter(tokenizer):
    from desktop_search.core.encode.token_counter import HFTokenCounter

    return HFTokenCounter(tokenizer)


QT_FIXTURES = {"qtbot", "qapp", "qtmodeltester"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses pytest-qt as ``gui``, so ``make test-fast`` leaves it out."""
    for item in items:
        if QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
