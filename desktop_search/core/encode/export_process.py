"""Making a model's ONNX export in a child process, so that torch never enters the caller.

The indexing process embeds with the export (``passage_encoder``); making the export needs
torch (~2 s of CPU and a few hundred MB that a process keeps until it exits). A child
process pays that and exits: the indexing process stays torch-free even on a first run.
A child started with ``subprocess`` rather than ``multiprocessing``: the app's indexing
process is a daemonic multiprocessing child, which may not start children of its own.

The child (``main``) prints the parity reached, or the reason on stderr with exit status 1.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop_search.core.children import source_command
from desktop_search.core.errors import ModelError


def command(model_path: Path, dest: Path) -> tuple[list[str], dict[str, str] | None]:
    """The child's command line and environment, installed or bundled (``children``)."""
    source = (
        "import sys; from desktop_search.core.encode.export_process import main; "
        f"sys.exit(main([{str(model_path)!r}, {str(dest)!r}]))"
    )
    return source_command(source)


class ExportJob:
    """One export under way in a child process; ``result`` waits for it."""

    def __init__(self, model_path: Path, dest: Path) -> None:
        self.dest = Path(dest)
        self.started = time.monotonic()
        self.seconds: float | None = None
        # stderr to a file, not a pipe: a chatty child must never block on a full pipe
        # while nobody waits for it yet (phase 1 is still running); closed by result/stop
        self._errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        argv, env = command(model_path, dest)
        self.process = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
        )

    def result(self) -> float:
        """The parity reached; raises ModelError with the child's reason if it failed."""
        out, _ = self.process.communicate()
        self.seconds = time.monotonic() - self.started
        self._errors.seek(0)
        err = self._errors.read().strip()
        self._errors.close()
        if self.process.returncode != 0:
            why = err.splitlines()[-1] if err else f"exit status {self.process.returncode}"
            raise ModelError(f"cannot export the model: {why}")
        return float(out.strip().splitlines()[-1])

    def stop(self) -> None:
        """An engine closing before the export is done: no orphan keeps the CPU busy, and
        its half-written file goes (``onnx_export`` writes ``<stem>*.tmp`` beside it)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
            for tmp in self.dest.parent.glob(f"{self.dest.stem}*.tmp"):
                tmp.unlink(missing_ok=True)
        self._errors.close()


def main(argv: list[str]) -> int:
    """The child: load torch, export, check parity, install the file (``onnx_export``)."""
    # torch is imported here, in the child only: the point of this process
    from .onnx_export import export_query_model
    from .query_encoder import torch_encoder

    model_path, dest = argv
    try:
        parity = export_query_model(torch_encoder(model_path), Path(dest))
    except (ModelError, OSError) as exc:
        print(str(exc) or type(exc).__name__, file=sys.stderr)
        return 1
    print(f"{parity:.6f}")
    return 0
