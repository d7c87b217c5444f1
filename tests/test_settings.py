"""The window's settings: read once, written by a thread of their own, kept between runs.

QSettings saves through a temporary file with ``fdatasync``; on a disk busy with the
index's commits one save took the GUI thread over 100 ms (CI). Real QSettings, real files.
"""

from __future__ import annotations

import sys
import threading

from desktop_search.app.mainwindow.settings import AppSettings


def test_settings_are_written_by_their_own_thread_and_kept(tmp_path, qapp):
    calls: list[tuple[str, str]] = []

    def profile(frame, event, arg):
        name = getattr(arg, "__qualname__", "")
        if event == "c_call" and name in ("QSettings.setValue", "QSettings.sync"):
            calls.append((threading.current_thread().name, name))

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        settings = AppSettings(tmp_path)
        settings.folders = ["/home/me/Documents", "/home/me/Mail"]
        settings.encoder_speed = 31.5
        settings.mode = "keyword"
        settings.mark_wizard_done()
        settings.sync()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)

    here = threading.current_thread().name
    assert not [c for c in calls if c[0] == here], "the calling thread wrote the settings"
    assert ("desktop-search-settings", "QSettings.sync") in calls
    settings.close()
    again = AppSettings(tmp_path)
    assert again.folders == ["/home/me/Documents", "/home/me/Mail"]
    assert again.encoder_speed == 31.5
    assert again.mode == "keyword"
    assert not again.first_run
    again.close()
