"""One app window per data folder: a second ``gui --query`` (a real process, offscreen)
hands its query to the first window, which shows it, and exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_search.core.service.app_socket import AppLock, hand_over, socket_path

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _gui(data: Path, query: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "desktop_search.cli",
        "gui",
        "--data-dir",
        str(data),
        "--query",
        query,
    ]


def _env() -> dict:
    return {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "QT_QPA_PLATFORM": "offscreen",
        "HF_HUB_OFFLINE": "1",
    }


def _apps(data: Path) -> list[int]:
    """Processes running ``gui`` on ``data``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gui" in argv and os.fsencode(data) in argv:
            found.append(int(pid))
    return found


def test_a_second_launch_hands_its_query_to_the_open_window(tmp_path):
    data = tmp_path / "data"
    first = subprocess.Popen(_gui(data, "first words"), env=_env(), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not socket_path(data).exists():
            assert first.poll() is None, "the first app exited"
            assert time.monotonic() < deadline, "the first app never listened"
            time.sleep(0.2)
        assert hand_over(data, None) == {"shown": "first words"}  # it searched its own query
        second = subprocess.run(
            _gui(data, "bread recipes type:md"),
            env=_env(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr
        assert "'bread recipes type:md'" in second.stdout
        assert hand_over(data, None) == {"shown": "bread recipes type:md"}
        assert _apps(data) == [first.pid] and first.poll() is None
        assert not AppLock(data).acquire()  # the first app holds it
    finally:
        first.send_signal(signal.SIGINT)  # closes the window cleanly
        try:
            first.wait(60)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()
    assert AppLock(data).acquire()  # and frees it when it quits
