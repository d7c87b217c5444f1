"""Opening one e-mail: the app hands the mail program a private .eml of that message, and
a Maildir is scanned as one mailbox (its new mail is wanted, its tmp/ is not)."""

from __future__ import annotations

import mailbox
import shutil
from pathlib import Path

import pytest

from desktop_search.core.index.scan import ScanRules

from .conftest import FIXTURES
from .test_app_search import recorded, recorder


@pytest.mark.gui
def test_the_app_opens_one_message_of_an_mbox_as_a_private_eml(qtbot, tmp_path, monkeypatch):
    from desktop_search.app.search.mail_open import MessageOpener

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    record = tmp_path / "opened"
    recorder(bin_dir / "xdg-open", record)
    box = tmp_path / "archive.mbox"
    shutil.copy(FIXTURES / "formats" / "archive.mbox", box)
    opener = MessageOpener()
    opener.open(str(box), 2)
    qtbot.waitUntil(record.exists, timeout=10000)
    (opened,) = recorded(record)
    eml = Path(opened.decode())
    assert eml.suffix == ".eml" and eml.stat().st_mode & 0o077 == 0
    assert eml.parent.stat().st_mode & 0o077 == 0
    assert b"Subject: Survey report" in eml.read_bytes()
    with qtbot.waitSignal(opener.failed) as failed:
        opener.open(str(box), 9)  # no ninth message
    assert failed.args[0].startswith("Cannot open the message in archive.mbox: ")


def test_new_mail_in_a_maildir_is_wanted_and_mail_being_delivered_is_not(tmp_path):
    box = mailbox.Maildir(str(tmp_path / "Mail"), create=True)
    key = box.add(b"Subject: hello\n\nbody\n")
    new = tmp_path / "Mail" / "new" / key
    rules = ScanRules()
    assert rules.wants_path(str(tmp_path), str(new))
    assert not rules.wants_path(str(tmp_path), str(tmp_path / "Mail" / "tmp" / key))
    assert not ScanRules.from_lists([".pdf"]).wants_path(str(tmp_path), str(new))
