"""The launcher service on the session bus: GNOME Shell's ``SearchProvider2`` and KRunner's
``krunner1`` over one ``Answers``, started by D-Bus activation, gone after idle minutes.

dbus-fast (see README, "Desktop launchers") serves both: its ``Annotated`` signatures
build the ``aa{sv}`` and ``a(sssida{sv})`` replies from plain lists and dicts, and its
asyncio bus answers a new call while an older one still waits for its hybrid results.
Headless: nothing here imports Qt, and "open the app" starts ``desktop-search gui``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Annotated

from dbus_fast import BusType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.service import ServiceInterface, dbus_method

from desktop_search.core.children import cli_command
from desktop_search.core.engine.api import Engine
from desktop_search.core.service import opener

from .answers import Answers
from .names import BUS_NAME, GNOME_PATH, KRUNNER_PATH

log = logging.getLogger(__name__)

IDLE_S = float(os.environ.get("DESKTOP_SEARCH_LAUNCHER_IDLE_S", 300))
"""The service exits after this long without a call (D-Bus starts it again when asked)."""

Void = Annotated[None, DBusSignature("")]
Strs = Annotated[list[str], DBusSignature("as")]
Metas = Annotated[list[dict[str, Variant]], DBusSignature("aa{sv}")]
Str = Annotated[str, DBusSignature("s")]
UInt = Annotated[int, DBusSignature("u")]
Matches = Annotated[list[tuple], DBusSignature("a(sssida{sv})")]
Actions = Annotated[list[tuple], DBusSignature("a(sss)")]
Config = Annotated[dict[str, Variant], DBusSignature("a{sv}")]

KRUNNER_ACTIONS = [("open", "Open", "document-open"), ("reveal", "Show in folder", "folder-open")]
EXACT, POSSIBLE = 100, 30  # KRunner's match types


class Service:
    """What both interfaces share: the answers, the clock for the idle exit, opening."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.answers = Answers(engine)
        self.last_call = time.monotonic()

    def touch(self) -> None:
        self.last_call = time.monotonic()

    def open(self, result_id: str, reveal: bool = False) -> None:
        hit = self.answers.hit(result_id)
        if hit is None:
            return
        if reveal:
            opener.reveal_in_folder(hit.path)
        else:
            opener.open_file(hit.path, hit.page)

    def open_app(self, query: str) -> None:
        """The app with ``query`` searched: a running one takes it (see ``app_socket``)."""
        cmd = cli_command("gui", "--data-dir", str(self.engine.data_dir), "--query", query)
        opener.spawn(cmd)


class GnomeProvider(ServiceInterface):
    def __init__(self, service: Service) -> None:
        super().__init__("org.gnome.Shell.SearchProvider2")
        self.s = service

    @dbus_method()
    async def GetInitialResultSet(self, terms: Strs) -> Strs:  # noqa: N802 (D-Bus names)
        self.s.touch()
        return await self.s.answers.ids(terms)

    @dbus_method()
    async def GetSubsearchResultSet(self, previous: Strs, terms: Strs) -> Strs:  # noqa: N802
        self.s.touch()
        return await self.s.answers.ids(terms)

    @dbus_method()
    def GetResultMetas(self, ids: Strs) -> Metas:  # noqa: N802
        self.s.touch()
        metas = []
        for result_id in ids:
            hit = self.s.answers.hit(result_id)
            if hit is not None:
                metas.append(
                    {
                        "id": Variant("s", result_id),
                        "name": Variant("s", hit.name),
                        "description": Variant("s", hit.description),
                        "gicon": Variant("s", hit.icon),
                    }
                )
        return metas

    @dbus_method()
    def ActivateResult(self, result_id: Str, terms: Strs, timestamp: UInt) -> Void:  # noqa: N802
        self.s.touch()
        self.s.open(result_id)

    @dbus_method()
    def LaunchSearch(self, terms: Strs, timestamp: UInt) -> Void:  # noqa: N802
        self.s.touch()
        self.s.open_app(" ".join(terms))


class KRunner(ServiceInterface):
    def __init__(self, service: Service) -> None:
        super().__init__("org.kde.krunner1")
        self.s = service

    @dbus_method()
    def Actions(self) -> Actions:  # noqa: N802
        return list(KRUNNER_ACTIONS)

    @dbus_method()
    def Config(self) -> Config:  # noqa: N802
        return {"MinLetterCount": Variant("i", 3)}

    @dbus_method()
    async def Match(self, query: Str) -> Matches:  # noqa: N802
        self.s.touch()
        out = []
        for rank, result_id in enumerate(await self.s.answers.ids(query.split())):
            hit = self.s.answers.hit(result_id)
            if hit is None:
                continue
            props = {"subtext": Variant("s", hit.description)}
            kind = EXACT if rank == 0 and hit.score >= 0.5 else POSSIBLE
            out.append(
                (result_id, hit.name, hit.icon, kind, max(0.0, hit.score - rank * 1e-3), props)
            )
        return out

    @dbus_method()
    def Run(self, match_id: Str, action_id: Str) -> Void:  # noqa: N802
        self.s.touch()
        self.s.open(match_id, reveal=action_id == "reveal")

    @dbus_method()
    def Teardown(self) -> Void:  # noqa: N802
        self.s.touch()


async def serve(data_dir: str | None = None, idle_s: float = IDLE_S) -> None:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    engine = Engine(data_dir, writer=False)
    service = Service(engine)
    bus.export(GNOME_PATH, GnomeProvider(service))
    bus.export(KRUNNER_PATH, KRunner(service))
    await bus.request_name(BUS_NAME)
    service.answers.warm_up()
    try:
        while time.monotonic() - service.last_call < idle_s:
            await asyncio.sleep(min(1.0, idle_s / 4))
        log.info("launcher service idle for %.0f s: exiting", idle_s)
    finally:
        bus.disconnect()
        service.answers.close()
        engine.close()


def main(data_dir: str | None = None) -> None:
    asyncio.run(serve(data_dir))
