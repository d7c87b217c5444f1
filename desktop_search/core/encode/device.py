"""Which device runs phase 2's encoder: the one place that chooses it.

onnxruntime names its devices as execution providers. A GPU provider is tried first where
this onnxruntime build offers one (CUDA on NVIDIA cards, CoreML on Apple silicon); the
CPU provider always follows it, so a graph node the GPU provider cannot run still runs.
``DESKTOP_SEARCH_DEVICE=cpu`` (or ``cuda``, ``coreml``) pins the choice, to compare the
two on a machine with a GPU. Whatever is chosen, ``passage_encoder`` checks its vectors
against the CPU's before using it.
"""

from __future__ import annotations

import os

#: Environment variable that pins the device ("cpu", "cuda" or "coreml").
DEVICE_ENV = "DESKTOP_SEARCH_DEVICE"

#: onnxruntime's provider per device name, GPUs first in the order they are preferred.
PROVIDERS = {
    "cuda": "CUDAExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cpu": "CPUExecutionProvider",
}


def choose_device(available: list[str] | None = None) -> str:
    """The device name phase 2 runs on: the pinned one if this onnxruntime offers it,
    else the first GPU it offers, else "cpu"."""
    if available is None:
        import onnxruntime as ort  # on the path that runs the export only

        available = ort.get_available_providers()
    pinned = os.environ.get(DEVICE_ENV, "").strip().lower()
    if pinned in PROVIDERS:
        return pinned if PROVIDERS[pinned] in available else "cpu"
    return next((name for name, p in PROVIDERS.items() if p in available), "cpu")


def providers_for(device: str) -> list[str]:
    """The provider list for an onnxruntime session on ``device``, CPU last as a catch-all."""
    chosen = PROVIDERS.get(device, PROVIDERS["cpu"])
    return list(dict.fromkeys([chosen, PROVIDERS["cpu"]]))
