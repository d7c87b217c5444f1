"""One BLAS thread for the small matrix products of related files and topics.

OpenBLAS's own threads, waiting on each other on cores that other work shares, made those
products 50x slower, so they run on the calling thread alone. Finding the BLAS libraries
(threadpoolctl walks every loaded shared library) holds the dynamic loader's lock and takes
the interpreter lock once per library: from a reading thread beside a busy window it held
the GUI thread up for 70 ms. A process that has threads to protect calls ``find_blas``
while it still runs alone; everyone else pays the walk once, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

_controller: ThreadpoolController | None = None
_lock = threading.Lock()


def find_blas() -> ThreadpoolController:
    """The process's BLAS libraries, found once."""
    global _controller
    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()
        return _controller


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the BLAS calls inside on this thread alone."""
    with find_blas().limit(limits=1, user_api="blas"):
        yield
