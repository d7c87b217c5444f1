"""Text that crosses the program's edges: queries coming in, names and messages going out.

A shell passes bytes that are not UTF-8 as lone surrogates (PEP 383), file names may hold
newlines or such bytes, and third-party errors may print memory addresses. Each of these
is cleaned once, here, where it enters or leaves.
"""

from __future__ import annotations

import re

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]+")


def clean_query(text: str) -> str:
    """A query that encodes as UTF-8 (the tokenizer and SQLite accept nothing else).

    Bytes a shell could not decode (``\\udc80``-``\\udcff``) are read as Windows-1252, the
    usual legacy charset of such terminals, so ``caf\\xe9`` still finds "café"; any other lone
    surrogate is dropped.
    """
    if not _SURROGATES.search(text):
        return text
    text = _ESCAPED_BYTE.sub(_legacy, text)
    return _SURROGATES.sub("", text)


def _legacy(match: re.Match[str]) -> str:
    raw = bytes(ord(ch) - 0xDC00 for ch in match.group())
    return raw.decode("cp1252", errors="replace").replace("\ufffd", "")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def display_name(path: str) -> str:
    """A file name for one line of human-readable output: newlines, other control
    characters and bytes that are not UTF-8 are shown escaped (``\\n``, ``\\xff``)."""
    return _CONTROL.sub(_escape, path)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code >= 0xDC80 and code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code >= 0xD800:
        return f"\\u{code:04x}"
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(match.group(), f"\\x{code:02x}")


_ADDRESS = re.compile(r"(?:,\s*\d{9,}(?=\)))|(?:\s+at\s+0x[0-9a-fA-F]{6,})|(?:0x[0-9a-fA-F]{8,})")


def plain_error(message: str) -> str:
    """An error text without memory addresses (pypdf prints ``IndirectObject(4, 0, 1403…)``):
    they mean nothing to a reader and change on every run."""
    return _ADDRESS.sub("", message)
