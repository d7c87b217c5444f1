"""desktop-search: local, private, paraphrase-aware search for your own documents."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Encoder", "__version__"]


def __getattr__(name: str):
    # Lazy, so that `import desktop_search` (the CLI's --help, say) does not load torch.
    if name == "Encoder":
        from desktop_search.core.encode.encoder import Encoder

        return Encoder
    raise AttributeError(name)
