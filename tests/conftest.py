"""Shared fixtures: one real encoder per test session (loading it costs seconds)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.exists():
        pytest.fail(f"shared test data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def encoder():
    from desktop_search.core.encoder import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def tokenizer():
    """The model's own tokenizer, loaded alone (chunking tests need no weights)."""
    from transformers import AutoTokenizer

    from desktop_search.core.encoder import default_model_path

    return AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)


@pytest.fixture(scope="session")
def counter(tokenizer):
    from desktop_search.core.chunking import HFTokenCounter

    return HFTokenCounter(tokenizer)
