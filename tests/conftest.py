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
