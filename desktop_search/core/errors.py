"""Every error the core raises on purpose, under one base class.

This module imports nothing from the package, so any module can import from it without
making a circle. The CLI turns ``DesktopSearchError`` into a one-line message in one
place; the app shows its text. Classes keep their older built-in bases (``ValueError``,
``RuntimeError``) so that callers written against those still catch them.
"""

from __future__ import annotations


class DesktopSearchError(Exception):
    """Base of every expected failure: its message is meant for the user, not a traceback."""


class ModelError(DesktopSearchError, RuntimeError):
    """The model folder is missing or not a sentence-transformers layout we can run."""


class StoreError(DesktopSearchError, RuntimeError):
    """The database cannot be opened or is not ours."""


class IndexBusyError(DesktopSearchError, RuntimeError):
    """Another process holds the indexing lock on this data directory."""


class FolderError(DesktopSearchError, ValueError):
    """A folder that cannot be added as asked (it lies inside a folder already listed)."""


class SearchError(DesktopSearchError, ValueError):
    """A query the searcher cannot run (an unknown mode, say)."""


class ExtractionError(DesktopSearchError):
    """A file whose text cannot be read; the message says why in words a user understands."""


class DataError(DesktopSearchError, ValueError):
    """A training or evaluation file that cannot be used; the message names file and line."""


class TrainingError(DesktopSearchError, RuntimeError):
    """Training cannot start or cannot go on (too few examples, a bad configuration)."""


class Cancelled(DesktopSearchError):
    """A long job stopped because the caller asked it to."""
