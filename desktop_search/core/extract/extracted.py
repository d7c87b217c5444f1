"""What an extractor gives: the text, its spans (pages, slides, sheets, messages), and the
decoding every text-based reader shares.

Kept apart from ``extract`` so that the format modules (which ``extract`` dispatches to)
can build their results without importing it back.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass, field

from desktop_search.core.errors import ExtractionError

#: How long one file's reader may take (a container's, together with its members').
MAX_SECONDS = 60.0
#: How much text one file may give: about 30,000 passages, hours of embedding. Its pieces,
#: their normalized copies and the joined text (4 bytes a character once one emoji is in)
#: stay under 200 MB, so one file's extraction stays under 300 MB.
MAX_TEXT_CHARS = 16_000_000


class Budget:
    """A reader's limits on time and text, checked between the parts it reads (paragraphs,
    slides, chapters, messages, members). The parts are bounded in size, so a file that
    would take minutes or fill the memory stops soon after its limit, with a one-line
    reason; a reader that cannot be stopped between parts runs in a child (``child``)."""

    def __init__(self, what: str, seconds: float = MAX_SECONDS) -> None:
        self.what = what
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._chars = MAX_TEXT_CHARS

    def check(self) -> None:
        if time.monotonic() > self._end:
            raise ExtractionError(f"the {self.what} takes longer than {self.seconds:g} s to read")

    def take(self, text: str) -> str:
        """``text``, counted against the text budget (and the time checked)."""
        self._chars -= len(text)
        if self._chars < 0:
            raise ExtractionError(
                f"the {self.what} holds more than {MAX_TEXT_CHARS // 1_000_000} million "
                "characters of text"
            )
        self.check()
        return text


@dataclass(frozen=True)
class Segment:
    """A stretch of the extracted text that chunks must not cross: a PDF page, a slide,
    a sheet, a message (see ``spans``). ``page`` is the span's number within the file (a
    PDF's page, a slide's number...); ``span`` its kind, None for a PDF page."""

    start: int
    end: int
    page: int | None = None
    span: str | None = None
    label: str | None = None


@dataclass
class Extracted:
    text: str
    segments: list[Segment] = field(default_factory=list)
    kind: str = "text"

    def __post_init__(self) -> None:
        if not self.segments:
            self.segments = [Segment(0, len(self.text), None)]


def join_spans(
    pieces: list[tuple[str, int | None, str | None, str | None]], kind: str
) -> Extracted:
    """One document from (text, number, span kind, label) pieces, a blank line apart;
    pieces with no text keep no segment (as a PDF's empty page)."""
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for text, n, span, label in pieces:
        text = normalize_text(text)
        if text.strip():
            segments.append(Segment(pos, pos + len(text), n, span, label))
        parts.append(text)
        pos += len(text) + 2
    return Extracted("\n\n".join(parts), segments, kind)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """UTF-8, or UTF-16/32 by BOM, or UTF-16 by its NUL pattern, or a legacy charset.

    Binary content is detected by bytes, not by the file name: a .txt that is really a
    binary blob is rejected instead of being indexed as noise.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            if _looks_like_text(text):
                return text
            raise ExtractionError("binary content (not a text file)")
    head = data[:8192]
    if b"\x00" in head:
        utf16 = _guess_utf16(head)
        if utf16:
            text = data.decode(utf16, errors="replace")
            if _looks_like_text(text):
                return text
        raise ExtractionError("binary content (not a text file)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return text
        raise ExtractionError("binary content (not a text file)")
    # Mostly valid UTF-8 with a few bad bytes (a truncated or damaged file): keep UTF-8. In
    # legacy 8-bit text almost no high byte forms a valid UTF-8 sequence, so the valid
    # non-ASCII characters would be outnumbered by the replacement characters.
    utf8 = data.decode("utf-8", errors="replace")
    sample = utf8[:262144]
    bad = sample.count("\ufffd")
    valid = sum(1 for ch in sample if ch > "\x7f") - bad
    if valid > bad and _looks_like_text(utf8):
        return utf8
    high = sum(1 for b in data[:65536] if b > 0x7F) / min(len(data), 65536)
    if high < 0.3:
        # Mostly ASCII with a few accented letters: a Western single-byte charset. Detectors
        # guess badly on such input (short French text comes out as Big5), so do not ask one.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        if _looks_like_text(text):
            return text
        raise ExtractionError("binary content or unknown text encoding")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    if best is not None:
        text = data.decode(best.encoding, errors="replace")
        if _looks_like_text(text):
            return text
    if _looks_like_text(utf8):
        return utf8
    raise ExtractionError("binary content or unknown text encoding")


def _guess_utf16(head: bytes) -> str | None:
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = max(1, len(head) // 2)
    if odd / half > 0.3 and even / half < 0.05:
        return "utf-16-le"
    if even / half > 0.3 and odd / half < 0.05:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return bad / len(sample) < 0.05


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")


def normalize_text(text: str) -> str:
    """Drop control characters and unify newlines; offsets are into this normalised text.

    Lone surrogates (a PDF's broken ToUnicode map yields them) go too: neither SQLite nor
    the tokenizer accepts them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)
