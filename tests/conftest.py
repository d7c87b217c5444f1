"""Shared fixtures: one real encoder per test session (loading it costs seconds)."""

from __future__ import annotations

import os
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
