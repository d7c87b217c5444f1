"""The chunker's token counts, from a Hugging Face tokenizer.

The chunker (``chunking``) only needs a ``TokenCounter``; this adapter gives it one from
the model's own tokenizer, and says whether counts add up across whitespace and ASCII
punctuation (``additive``), which spares the chunker most second passes.
"""

from __future__ import annotations

from collections.abc import Sequence


def _is_word_split(tokenizer) -> bool:
    """True when the backend splits words at whitespace and punctuation (sums are exact)."""
    try:
        from tokenizers import pre_tokenizers

        pre = tokenizer.pre_tokenizer
        return isinstance(pre, pre_tokenizers.BertPreTokenizer)
    except Exception:  # pragma: no cover - an unusual tokenizer: fall back to re-counting
        return False


class HFTokenCounter:
    """Adapter from a Hugging Face tokenizer to the chunker's TokenCounter.

    With a fast tokenizer it works on a private copy of the Rust backend with truncation
    and padding switched off (the model's tokenizer.json pads and truncates to 128), so
    counts are never capped, calls skip the transformers wrapper, and the counter is safe
    to use beside the encoder's own tokenizer.
    """

    def __init__(self, tokenizer) -> None:
        self._tok = tokenizer
        self._backend = None
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is not None:
            from tokenizers import Tokenizer

            copy = Tokenizer.from_str(backend.to_str())
            copy.no_truncation()
            copy.no_padding()
            self._backend = copy
        self.additive = self._backend is not None and _is_word_split(self._backend)
        if self._backend is None:
            self.encode_batch = None  # the chunker then falls back to count() and offsets()

    def encode_batch(self, texts: Sequence[str]):
        """``tokenizers.Encoding`` per text (``len()``, ``.offsets``, ``.word_ids``), no specials."""
        return self._backend.encode_batch(list(texts), add_special_tokens=False)

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._backend is not None:
            return [
                len(e) for e in self._backend.encode_batch(list(texts), add_special_tokens=False)
            ]
        enc = self._tok(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        if self._backend is not None:
            return [tuple(o) for o in self._backend.encode(text, add_special_tokens=False).offsets]
        enc = self._tok(
            text,
            add_special_tokens=False,
            truncation=False,
            return_offsets_mapping=True,
            verbose=False,
        )
        return [tuple(o) for o in enc["offset_mapping"]]
