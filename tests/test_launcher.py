"""The launcher service through a real private session bus (dbus-daemon from Debian's
``dbus``): started by D-Bus activation from the files ``desktop-search integrate`` writes,
asked as GNOME Shell and KRunner ask, opening files through recording scripts on PATH."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .corpus import BREAD_TEXT, CAR_TEXT, make_pdf
from .test_app_search import recorded, recorder

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
BUS = "io.github.desktopsearch.Launcher"
GNOME = ("/io/github/desktopsearch/SearchProvider", "org.gnome.Shell.SearchProvider2")
KRUNNER = ("/krunner", "org.kde.krunner1")
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={tmp}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def call(address: str, path_iface: tuple[str, str], member: str, signature: str = "", *body):
    """One method call on the bus at ``address``; the reply's body."""
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    async def go():
        bus = await MessageBus(bus_address=address).connect()
        try:
            reply = await bus.call(
                Message(
                    destination=BUS
                    if path_iface[0] != "/org/freedesktop/DBus"
                    else "org.freedesktop.DBus",
                    path=path_iface[0],
                    interface=path_iface[1],
                    member=member,
                    signature=signature,
                    body=list(body),
                )
            )
        finally:
            bus.disconnect()
        assert reply.message_type == MessageType.METHOD_RETURN, reply.body
        return reply.body

    return asyncio.run(go())


@pytest.fixture(scope="module")
def desktop(tmp_path_factory, fixture_data, encoder):
    """An index with its ONNX query model, ``integrate`` run into a private XDG tree, and a
    private session bus that starts the service from it: (address, env, root, records)."""
    from desktop_search.core.engine.api import Engine

    tmp = tmp_path_factory.mktemp("launcher")
    root = tmp / "lib"
    (root / "notes").mkdir(parents=True)
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "notes" / "bread.md").write_text(BREAD_TEXT)
    make_pdf(fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf", root / "rfaq.pdf", pages=2)
    data = tmp / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(root)])
        assert engine.prepare_query_model() is not None

    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    records = {"xdg-open": tmp / "xdg-open-args", "evince": tmp / "evince-args"}
    recorder(bin_dir / "xdg-open", records["xdg-open"])
    viewer = recorder(bin_dir / "evince", records["evince"])
    share = tmp / "share"
    (share / "applications").mkdir(parents=True)
    (share / "applications" / "org.gnome.Evince.desktop").write_text(
        f"[Desktop Entry]\nExec={viewer} %U\n"
    )
    (tmp / "config").mkdir()
    (tmp / "config" / "mimeapps.list").write_text(
        "[Default Applications]\napplication/pdf=org.gnome.Evince.desktop\n"
    )
    env = {
        "HOME": str(tmp),
        "PATH": str(bin_dir),  # no xdg-mime: the mimeapps.list decides, as in the app's test
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(share),
        "XDG_DATA_DIRS": str(tmp / "none"),
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "DESKTOP_SEARCH_HOME": str(data),
        "DESKTOP_SEARCH_LAUNCHER_IDLE_S": "120",
    }
    out = subprocess.run(
        [sys.executable, "-m", "desktop_search.cli", "integrate"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "sudo install -Dm644" in out and "search-providers" in out
    services = share / "dbus-1" / "services"
    assert (services / f"{BUS}.service").exists()
    (tmp / "bus.conf").write_text(BUS_CONFIG.format(tmp=tmp, services=services))
    daemon = subprocess.Popen(
        [
            shutil.which("dbus-daemon"),
            f"--config-file={tmp / 'bus.conf'}",
            "--print-address=1",
            "--nofork",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    address = daemon.stdout.readline().strip()
    try:
        yield address, env, root, records
    finally:
        pid = _service_pid(address)
        if pid:
            os.kill(pid, signal.SIGTERM)
        daemon.terminate()
        daemon.wait(10)


def _service_pid(address: str) -> int | None:
    try:
        return call(
            address,
            ("/org/freedesktop/DBus", "org.freedesktop.DBus"),
            "GetConnectionUnixProcessID",
            "s",
            BUS,
        )[0]
    except AssertionError:
        return None


def _search(address: str, *terms: str) -> dict[str, dict]:
    """GetInitialResultSet then GetResultMetas: name -> meta, in the order found."""
    (ids,) = call(address, GNOME, "GetInitialResultSet", "as", list(terms))
    (metas,) = call(address, GNOME, "GetResultMetas", "as", ids)
    assert [m["id"].value for m in metas] == ids
    return {m["name"].value: {k: v.value for k, v in m.items()} for m in metas}


def _meaning(address: str, *terms: str) -> dict[str, dict]:
    """``_search`` asked again until meaning search answers: while the service loads its
    query model (its first seconds), calls answer with keyword results, and a paraphrase
    shares no word with what it finds."""
    deadline = time.monotonic() + 90
    while not (found := _search(address, *terms)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def _wait_record(path: Path) -> list[bytes]:
    deadline = time.monotonic() + 20
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never ran"
        time.sleep(0.05)
    time.sleep(0.1)  # the script writes all its arguments at once
    got = recorded(path)
    path.unlink()
    return got


def test_gnome_shell_finds_by_word_and_paraphrase_and_opens_at_the_page(desktop):
    address, _, root, records = desktop
    found = _search(address, "sourdough")  # activates the service
    assert next(iter(found)) == "bread.md"
    assert "Sourdough" in found["bread.md"]["description"]
    assert found["bread.md"]["gicon"] == "text-markdown"
    pid = _service_pid(address)
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "libQt6" not in maps  # headless: no Qt loaded

    paraphrase = _meaning(address, "automobile", "repairs")
    assert next(iter(paraphrase)) == "car.txt"

    pdf = _search(address, "how", "to", "cite", "R", "in", "a", "publication")
    assert next(iter(pdf)) == "rfaq.pdf"
    meta = pdf["rfaq.pdf"]
    assert meta["gicon"] == "application-pdf" and meta["description"].startswith("p. ")
    page = int(meta["description"][3:].split(" ")[0])
    call(address, GNOME, "ActivateResult", "sasu", meta["id"], ["cite"], 0)
    assert _wait_record(records["evince"]) == [
        f"--page-index={page}".encode(),
        os.fsencode(root / "rfaq.pdf"),
    ]
    call(address, GNOME, "ActivateResult", "sasu", paraphrase["car.txt"]["id"], [], 0)
    assert _wait_record(records["xdg-open"]) == [os.fsencode(root / "car.txt")]

    # typed filters work here too
    assert list(_search(address, "bread", "type:pdf")) in ([], ["rfaq.pdf"])
    assert list(_search(address, "sourdough", "in:" + str(root / "notes"))) == ["bread.md"]


def test_krunner_matches_and_runs_its_actions(desktop):
    address, _, root, records = desktop
    (actions,) = call(address, KRUNNER, "Actions")
    assert [a[1] for a in actions] == ["Open", "Show in folder"]
    _meaning(address, "automobile", "repairs")
    (matches,) = call(address, KRUNNER, "Match", "s", "automobile repairs")
    first = matches[0]
    assert first[1] == "car.txt" and first[2] == "text-plain"
    assert "vehicle" in first[5]["subtext"].value.lower()
    call(address, KRUNNER, "Run", "ss", first[0], "")
    assert _wait_record(records["xdg-open"]) == [os.fsencode(root / "car.txt")]
    call(address, KRUNNER, "Run", "ss", first[0], "reveal")
    assert _wait_record(records["xdg-open"]) == [os.fsencode(root)]


def test_gdbus_call_after_integrate_returns_results(desktop):
    address, _, _, _ = desktop
    out = subprocess.run(
        [
            "gdbus",
            "call",
            "--session",
            "--dest",
            BUS,
            "--object-path",
            GNOME[0],
            "--method",
            f"{GNOME[1]}.GetInitialResultSet",
            "['sourdough']",
        ],
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.startswith("(['") and out.strip().endswith("],)"), out


def test_launch_search_hands_the_query_to_the_open_app(desktop):
    """GNOME's "search in the app": the service starts ``gui --query``, which finds the
    app of the data folder running (its lock taken, its socket listening: played here by
    the test) and hands it the query."""
    import json
    import socket

    from desktop_search.core.service.app_socket import AppLock, socket_path

    address, env, _, _ = desktop
    data = Path(env["DESKTOP_SEARCH_HOME"])
    lock = AppLock(data)
    assert lock.acquire()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(os.fsencode(socket_path(data)))
        server.listen(1)
        server.settimeout(120)
        call(address, GNOME, "LaunchSearch", "asu", ["sourdough", "type:md"], 0)
        conn, _ = server.accept()
        with conn:
            asked = json.loads(conn.makefile("rb").readline())
            conn.sendall(b'{"shown": "sourdough type:md"}\n')
        assert asked == {"query": "sourdough type:md"}
    finally:
        server.close()
        socket_path(data).unlink(missing_ok=True)
        lock.release()
