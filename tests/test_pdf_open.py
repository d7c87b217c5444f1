"""Opening a PDF at a page: the desktop's default viewer, found as the XDG specs say, and the
command that asks it for the page. Plain functions over real files in a temporary XDG tree."""

from __future__ import annotations

import os
import urllib.parse

import pytest

from desktop_search.core.service.pdf_open import (
    default_entry,
    desktop_file,
    exec_line,
    file_url,
    open_at_page_command,
    page_command,
    program_of,
)

PDF = "/home/me/R manuals/R-intro.pdf"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("evince %U", ["evince", "--page-index=12", PDF]),
        ("atril %U", ["atril", "--page-index=12", PDF]),
        ("xreader %U", ["xreader", "--page-index=12", PDF]),
        ("papers %U", ["papers", "--page-index=12", PDF]),
        ("okular %U", ["okular", "-p", "12", PDF]),
        ("zathura %U", ["zathura", "--page=12", PDF]),
        ("mupdf %f", ["mupdf", PDF, "12"]),
        ("qpdfview --unique %U", ["qpdfview", "--unique", PDF + "#12"]),
        (
            "/usr/lib/firefox/firefox %u",
            ["/usr/lib/firefox/firefox", "file:///home/me/R%20manuals/R-intro.pdf#page=12"],
        ),
        (
            "/usr/bin/chromium %U",
            ["/usr/bin/chromium", "file:///home/me/R%20manuals/R-intro.pdf#page=12"],
        ),
        # a snap behind env settings; a flatpak with file forwarding (options before @@u)
        (
            "env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/okular.desktop "
            "/snap/bin/okular %U",
            [
                "env",
                "BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/okular.desktop",
                "/snap/bin/okular",
                "-p",
                "12",
                PDF,
            ],
        ),
        (
            "/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=evince "
            "--file-forwarding org.gnome.Evince @@u %U @@",
            [
                "/usr/bin/flatpak",
                "run",
                "--branch=stable",
                "--arch=x86_64",
                "--command=evince",
                "--file-forwarding",
                "org.gnome.Evince",
                "--page-index=12",
                "@@u",
                PDF,
                "@@",
            ],
        ),
        # field codes for icons and names are dropped; no field code: the file goes last
        ('"evince" %i %c %U', ["evince", "--page-index=12", PDF]),
        ("okular", ["okular", "-p", "12", PDF]),
        # a viewer without a page option we know, and a broken line: open the plain way
        ("xpdf %f", None),
        ("gimp %U", None),
        ('evince "%U', None),
        ("", None),
    ],
)
def test_page_command_for_each_viewer(line, expected):
    assert page_command(line, PDF, 12) == expected


def test_page_command_needs_a_page():
    assert page_command("evince %U", PDF, 0) is None


def test_program_behind_wrappers():
    assert program_of(["flatpak", "run", "org.kde.okular", "%U"]) == "okular"
    assert program_of(["env", "A=1", "/usr/bin/Evince"]) == "evince"
    assert program_of([]) == ""


def test_exec_line_reads_the_main_group_only():
    entry = (
        "[Desktop Entry]\nName=Document Viewer\nExec=evince %U\nMimeType=application/pdf;\n\n"
        "[Desktop Action new-window]\nExec=evince --new-window\n"
    )
    assert exec_line(entry) == "evince %U"
    assert exec_line("not a desktop entry") is None


def test_file_url_keeps_the_bytes_of_a_name_that_is_not_utf8():
    path = os.fsdecode(b"/tmp/caf\xe9/bad\xff name#1.pdf")
    url = file_url(path)
    assert url == "file:///tmp/caf%E9/bad%FF%20name%231.pdf"
    assert urllib.parse.unquote_to_bytes(url[len("file://") :]) == os.fsencode(path)


@pytest.fixture
def xdg(tmp_path):
    """A private XDG tree, and no xdg-mime on PATH: the mimeapps.list files decide."""
    env = {
        "HOME": str(tmp_path),
        "PATH": str(tmp_path / "no-bin"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CONFIG_DIRS": str(tmp_path / "etc-xdg"),
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "XDG_DATA_DIRS": str(tmp_path / "usr-share"),
    }
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.makedirs(env[key], exist_ok=True)
    apps = tmp_path / "usr-share" / "applications"
    (apps / "kde4").mkdir(parents=True)
    (apps / "org.gnome.Evince.desktop").write_text("[Desktop Entry]\nExec=evince %U\n")
    (apps / "kde4" / "okular.desktop").write_text("[Desktop Entry]\nExec=okular %U\n")
    (apps / "gimp.desktop").write_text("[Desktop Entry]\nExec=gimp-2.10 %U\n")
    return env, tmp_path


def test_the_default_viewer_comes_from_the_mime_lists(xdg):
    env, root = xdg
    assert default_entry("application/pdf", env) is None  # nothing set: open the plain way
    assert open_at_page_command(PDF, 3, env) is None
    # installed viewers (update-desktop-database's cache); an entry that is gone is skipped
    apps = root / "usr-share" / "applications"
    (apps / "mimeinfo.cache").write_text(
        "[MIME Cache]\napplication/pdf=gone.desktop;org.gnome.Evince.desktop;\n"
    )
    assert open_at_page_command(PDF, 3, env) == ["evince", "--page-index=3", PDF]
    # a default beats what is merely installed; the user's own choice beats the system's;
    # kde4-okular is the desktop file kde4/okular.desktop
    (apps / "mimeapps.list").write_text("[Default Applications]\napplication/pdf=gimp.desktop\n")
    assert default_entry("application/pdf", env) == "gimp.desktop"
    assert open_at_page_command(PDF, 3, env) is None  # gimp takes no page
    user = root / "config" / "mimeapps.list"
    user.write_text("[Default Applications]\napplication/pdf=gone.desktop;kde4-okular.desktop;\n")
    assert default_entry("application/pdf", env) == "kde4-okular.desktop"
    assert desktop_file("kde4-okular.desktop", env).name == "okular.desktop"
    assert open_at_page_command(PDF, 3, env) == ["okular", "-p", "3", PDF]
    # not a PDF, or no page: None
    assert open_at_page_command("/home/me/notes.txt", 3, env) is None
    assert open_at_page_command(PDF, None, env) is None
    assert desktop_file("../escape.desktop", env) is None
