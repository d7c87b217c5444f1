"""What the launcher service answers, apart from D-Bus: results for the words typed so far,
and what to show and open for each.

The shell asks again at every keystroke and drops the previous answer, so every call
starts a keyword search (no model, tens of milliseconds) and then, on a second thread, a
hybrid one. A call that a newer one overtakes answers with its keyword results at once
(nobody waits for it); a call still the newest once its hybrid search is done (the words
stopped changing) answers with those; while the query model still loads (the first second
after D-Bus starts the service) every call answers with its keyword results. The hybrid
thread skips calls already overtaken before it starts, so fast typing queues no model
work. The Engine and its ONNX query model load once and stay warm while the service lives.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from desktop_search.core.engine import Engine, read_query, snippet_window
from desktop_search.core.sanitize import display_name

MAX_RESULTS = 8
KEPT = 400
"""Results remembered for their metas and activation (the shell asks by id afterwards)."""
SNIPPET = 90


@dataclass(frozen=True)
class Hit:
    path: str
    page: int | None
    snippet: str
    score: float

    @property
    def name(self) -> str:
        return display_name(os.path.basename(self.path))

    @property
    def description(self) -> str:
        where = f"p. {self.page} · " if self.page else ""
        return where + self.snippet

    @property
    def icon(self) -> str:
        """The file type's icon name (freedesktop: the MIME type with - for /)."""
        mime = mimetypes.guess_type(self.path)[0]
        return mime.replace("/", "-") if mime else "text-x-generic"


class Answers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.latest = 0
        self._ids = 0
        self._hits: OrderedDict[str, Hit] = OrderedDict()
        self._lock = threading.Lock()
        self._keyword = ThreadPoolExecutor(1, thread_name_prefix="launcher-keyword")
        self._hybrid = ThreadPoolExecutor(1, thread_name_prefix="launcher-hybrid")
        self._warm: Future | None = None

    def warm_up(self) -> None:
        """Load the query model now (on a worker): until it is loaded, calls answer with
        their keyword results rather than wait for it."""
        self._warm = self._hybrid.submit(self.engine.warm_up)

    async def ids(self, terms: list[str]) -> list[str]:
        """Result ids for the words typed so far (see the module's docstring)."""
        self.latest += 1
        me = self.latest
        text = " ".join(terms)
        loop = asyncio.get_running_loop()
        keyword = await loop.run_in_executor(self._keyword, self._search, text, "keyword", None)
        # after the keyword answer, not beside it: on two cores the query model's threads
        # slowed the keyword search that an overtaken call answers with
        hybrid = loop.run_in_executor(self._hybrid, self._search, text, "hybrid", me)
        hybrid.add_done_callback(_quiet)  # an overtaken call never reads its failure
        cold = self._warm is not None and not self._warm.done()
        while not hybrid.done() and self.latest == me and not cold:
            await asyncio.wait([hybrid], timeout=0.01)
        found = hybrid.result() if hybrid.done() and not hybrid.exception() else None
        return self._keep(keyword if found is None else found)

    def search(self, text: str, mode: str) -> list[str]:
        """One search, without the race (the benchmark's and KRunner's second look)."""
        return self._keep(self._search(text, mode, None) or [])

    def hit(self, result_id: str) -> Hit | None:
        with self._lock:
            return self._hits.get(result_id)

    def _search(self, text: str, mode: str, call: int | None) -> list[Hit] | None:
        if call is not None and call != self.latest:
            return None  # overtaken before it started
        typed = read_query(text)
        if not typed.text.strip():
            return []
        results = self.engine.search(
            typed.text, k=MAX_RESULTS, mode=mode, filters=typed.filters, per_file=1
        )
        strong = [r for r in results if not r.weak]
        return [_hit(r) for r in strong or results[:3]]  # a launcher lists few loose matches

    def _keep(self, hits: list[Hit]) -> list[str]:
        ids = []
        with self._lock:
            for hit in hits:
                self._ids += 1
                key = str(self._ids)
                self._hits[key] = hit
                ids.append(key)
            while len(self._hits) > KEPT:
                self._hits.popitem(last=False)
        return ids

    def close(self) -> None:
        self._keyword.shutdown(wait=False, cancel_futures=True)
        self._hybrid.shutdown(wait=False, cancel_futures=True)


def _quiet(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


def _hit(result) -> Hit:
    p = result.passages[0] if result.passages else None
    if p is None:
        return Hit(result.path, None, "", result.score)
    s, e = snippet_window(p.text, p.highlights, SNIPPET)
    text = " ".join(p.text[s:e].split())
    snippet = ("…" if s else "") + text + ("…" if e < len(p.text) else "")
    return Hit(result.path, p.page, snippet, result.score)
