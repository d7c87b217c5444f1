"""Live folder watching: filesystem events, debounced and batched, for the indexer.

Qt-free. A watchdog ``Observer`` watches every root recursively; events are folded into
one pending batch (a file created then deleted within the quiet period cancels out, an
editor's "write temp file, rename over the original" becomes one change) and the batch is
handed to a callback once the folders have been quiet for ``quiet_s`` seconds, or after
``max_delay_s`` at the latest while events keep coming. The callback runs on the
watcher's own thread; it should only queue the batch for the indexer::

    watcher = FolderWatcher(lambda batch: queue.put(batch))
    watcher.start()
    watcher.watch("/home/me/Documents")
    ...
    # in the indexing thread:
    engine.apply_changes(batch)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from watchdog.events import FileSystemEventHandler

from .scan import ALWAYS_SKIPPED_DIRS

log = logging.getLogger(__name__)


@dataclass
class WatchBatch:
    """What changed under the roots since the last batch."""

    changed: list[str] = field(default_factory=list)  # created or modified (files or folders)
    deleted: list[str] = field(default_factory=list)  # files or folders
    moved: list[tuple[str, str]] = field(default_factory=list)  # (old, new), files only

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted or self.moved)

    def __len__(self) -> int:
        return len(self.changed) + len(self.deleted) + len(self.moved)

    def paths(self) -> list[str]:
        """Every path the indexer should re-check (move targets included: a rename may
        also have changed the content, and an unchanged file costs one stat)."""
        return list(dict.fromkeys([*self.changed, *self.deleted, *(new for _, new in self.moved)]))


def _ignored(path: str) -> bool:
    """Hidden and always-skipped folders never hold indexed files (editor swap files, .git)."""
    return any(
        part in ALWAYS_SKIPPED_DIRS or part.startswith(".") for part in path.split(os.sep) if part
    )


class _Pending:
    """The batch being collected; every method runs under the watcher's lock."""

    def __init__(self) -> None:
        self.changed: dict[str, None] = {}
        self.deleted: dict[str, None] = {}
        self.moved: dict[str, str] = {}  # new -> old
        self.first = 0.0
        self.last = 0.0

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted or self.moved)

    def touch(self) -> None:
        now = time.monotonic()
        if not self:
            self.first = now
        self.last = now

    def change(self, path: str) -> None:
        self.touch()
        self.deleted.pop(path, None)
        self.changed[path] = None

    def delete(self, path: str) -> None:
        self.touch()
        self.changed.pop(path, None)
        old = self.moved.pop(path, None)
        if old is not None:  # moved here, then deleted: the old file is gone too
            self.deleted[old] = None
        self.deleted[path] = None

    def move(self, old: str, new: str, is_dir: bool) -> None:
        self.touch()
        hidden_old, hidden_new = _ignored(old), _ignored(new)
        if hidden_new:
            if not hidden_old:
                self.delete(old)
            return
        if hidden_old or is_dir or old in self.changed:
            # A temp file renamed over its target (an editor's atomic save), a folder
            # renamed (re-scanned: its vectors are cached, nothing is re-embedded), or a
            # file created in this very batch: the new path is simply a change.
            self.changed.pop(old, None)
            if not hidden_old:
                self.deleted[old] = None
            self.change(new)
            return
        earlier = self.moved.pop(old, None)  # a -> b -> c is a -> c
        self.deleted.pop(new, None)
        self.moved[new] = earlier or old

    def take(self) -> WatchBatch:
        batch = WatchBatch(
            list(self.changed), list(self.deleted), [(o, n) for n, o in self.moved.items()]
        )
        self.changed, self.deleted, self.moved = {}, {}, {}
        return batch


class FolderWatcher:
    """Watch folders recursively; deliver debounced ``WatchBatch``es to ``callback``."""

    def __init__(
        self,
        callback: Callable[[WatchBatch], None],
        *,
        quiet_s: float = 0.75,
        max_delay_s: float = 5.0,
        on_error: Callable[[str, str], None] | None = None,
    ) -> None:
        self.callback = callback
        self.quiet_s = quiet_s
        self.max_delay_s = max_delay_s
        self.on_error = on_error
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending = _Pending()
        self._watches: dict[str, object] = {}
        self._observer = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        from watchdog.observers import Observer

        if self._observer is not None:
            return
        self._stop.clear()
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()
        self._thread = threading.Thread(
            target=self._flusher, name="desktop-search-watch", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; events not yet delivered are dropped (the next start's sync finds them)."""
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            try:
                self._observer.stop()
                self._observer.join(timeout)
            except Exception:  # pragma: no cover - a dying inotify fd
                log.exception("stopping the folder watcher")
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._watches.clear()

    @property
    def running(self) -> bool:
        return self._observer is not None

    @property
    def roots(self) -> list[str]:
        return sorted(self._watches)

    # -- roots ------------------------------------------------------------------------

    def watch(self, path: str) -> bool:
        """Watch ``path`` recursively; False (and ``on_error``) when it cannot be watched."""
        path = os.path.abspath(os.path.expanduser(path))
        if self._observer is None:
            self.start()
        if path in self._watches:
            return True
        try:
            if not os.path.isdir(path):
                raise FileNotFoundError("folder not found")
            watch = self._observer.schedule(_Handler(self), path, recursive=True)
        except OSError as exc:
            msg = f"cannot watch folder for changes: {exc.strerror or exc}"
            if getattr(exc, "errno", None) == 28:  # ENOSPC: inotify's watch limit
                msg += " (raise fs.inotify.max_user_watches)"
            log.warning("%s: %s", path, msg)
            if self.on_error:
                self.on_error(path, msg)
            return False
        self._watches[path] = watch
        return True

    def unwatch(self, path: str) -> None:
        path = os.path.abspath(os.path.expanduser(path))
        watch = self._watches.pop(path, None)
        if watch is not None and self._observer is not None:
            try:
                self._observer.unschedule(watch)
            except Exception:  # already gone with its folder
                log.debug("unschedule %s failed", path, exc_info=True)

    def set_roots(self, paths: list[str]) -> None:
        wanted = {os.path.abspath(os.path.expanduser(p)) for p in paths}
        for gone in set(self._watches) - wanted:
            self.unwatch(gone)
        for path in sorted(wanted - set(self._watches)):
            self.watch(path)

    # -- events -----------------------------------------------------------------------

    def _event(self, kind: str, src: str, dest: str | None, is_dir: bool) -> None:
        with self._lock:
            if kind == "moved" and dest:
                self._pending.move(src, dest, is_dir)
            elif _ignored(src):
                return
            elif kind == "deleted":
                self._pending.delete(src)
            else:
                self._pending.change(src)
        self._wake.set()

    def pending(self) -> int:
        with self._lock:
            p = self._pending
            return len(p.changed) + len(p.deleted) + len(p.moved)

    def flush(self) -> WatchBatch:
        """Take what is pending now (tests, and shutdown)."""
        with self._lock:
            return self._pending.take()

    def _flusher(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                p = self._pending
                if p:
                    wait = min(p.last + self.quiet_s, p.first + self.max_delay_s) - time.monotonic()
                    batch = p.take() if wait <= 0 else None
                else:
                    wait, batch = 1.0, None
            if batch:
                try:
                    self.callback(batch)
                except Exception:  # the watcher must survive a failing consumer
                    log.exception("folder watcher callback failed")
                continue
            self._wake.wait(max(wait, 0.02))
            self._wake.clear()


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into calls on the watcher."""

    _KINDS = {
        "created": "changed",
        "modified": "changed",
        "closed": "changed",
        "deleted": "deleted",
        "moved": "moved",
    }

    def __init__(self, watcher: FolderWatcher) -> None:
        super().__init__()
        self.watcher = watcher

    def dispatch(self, event) -> None:
        kind = self._KINDS.get(event.event_type)
        if kind is None:  # opened, closed_no_write
            return
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if getattr(event, "dest_path", None) else None
        if kind == "changed" and event.is_directory and event.event_type != "created":
            return  # a folder's mtime changes with every file event inside it: nothing to do
        self.watcher._event(kind, src, dest, event.is_directory)
