"""Where the app's memory goes, and its idle RSS with the ONNX query encoder against torch.

Each variant runs in a fresh process (Qt offscreen) over an indexed data folder, e.g. the
one bench_cli.py builds: RSS after Qt starts, after the reading side's pieces load one by
one (the index and its HNSW graph, then the query encoder), and the window's idle RSS
after one search. ``torch`` gives the window a torch ``Encoder``, which is what the
reading side ran before the export; ``onnx`` lets it pick its own (the export).

    python benchmarks/bench_app_memory.py [--data-dir bench-out/cli-data]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, table


def rss_mb(pid: int | None = None) -> float:
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def wait(app, until, timeout: float = 300.0) -> None:
    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def stages(variant: str, data_dir: Path) -> dict:
    """The reading side's pieces loaded one by one, without a window: RSS after each."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    stages = {"python": rss_mb()}
    from desktop_search.app.main import make_app

    make_app([sys.argv[0]])
    stages["+ Qt (QApplication)"] = rss_mb()
    from desktop_search.core.engine import Engine

    probe = Engine(data_dir, writer=False)  # the reading side alone, outside the window
    stages["+ index open (SQLite, HNSW graph)"] = rss_mb()
    encoder = None
    if variant == "torch":
        from desktop_search.core.encode.encoder import Encoder

        stages["+ torch, transformers imported"] = rss_mb()
        encoder = Encoder()
        encoder.encode(["warm up"])
        probe.encoder = encoder
    else:
        probe.warm_up()
    stages[f"+ {variant} query encoder loaded"] = rss_mb()
    probe.close()
    return stages


def window(variant: str, data_dir: Path) -> dict:
    """The app's window over ``data_dir``: its idle RSS after one search."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop_search.app.main import make_app
    from desktop_search.app.mainwindow.window import MainWindow

    app = make_app([sys.argv[0]])
    encoder = None
    if variant == "torch":
        from desktop_search.core.encode.encoder import Encoder

        encoder = Encoder()
    stages = {}

    w = MainWindow(data_dir=data_dir, encoder=encoder)
    w.show()
    wait(app, lambda: w.controller.is_ready)
    got = []
    w.controller.searchResults.connect(got.append)
    w.controller.search("how do I plot a surface with contour lines")
    wait(app, lambda: bool(got))
    wait(app, lambda: w.controller.job is None, timeout=600)  # the start-up sync
    end = time.monotonic() + 3
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.05)
    stages["idle window after a search"] = rss_mb()
    proc = w.controller.process.process  # the multiprocessing.Process
    stages["indexing process (separate)"] = rss_mb(proc.pid) if proc and proc.is_alive() else 0.0
    torch_loaded = "torch" in sys.modules
    w.close()
    wait(app, lambda: w.controller.stopped, timeout=60)
    stages["torch in the window's process"] = torch_loaded
    return stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench-out" / "cli-data")
    ap.add_argument("--child", choices=("onnx", "torch"))
    ap.add_argument("--part", choices=("stages", "window"))
    args = ap.parse_args()
    data = args.data_dir.resolve()
    if args.child:
        part = stages if args.part == "stages" else window
        print(json.dumps(part(args.child, data)))
        return
    from desktop_search.core.engine import Engine

    passages = Engine.read_status(data)["passages"]
    rows = []
    for variant in ("torch", "onnx"):
        for part in ("stages", "window"):
            argv = [sys.executable, __file__, "--child", variant, "--part", part]
            out = subprocess.run(
                [*argv, "--data-dir", str(data)], check=True, capture_output=True, text=True
            )
            for stage, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
                shown = f"{value:.0f}" if isinstance(value, float) else str(value)
                rows.append([variant, stage, shown])
    print(f"index: {passages} passages ({data})")
    print(table(rows, ["reading side", "stage", "RSS MB"]))
    print("target: idle window <= 500 MB at a 25k-passage library")


if __name__ == "__main__":
    main()
