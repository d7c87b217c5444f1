"""RTF, read by striprtf in a child process with a time and memory limit.

striprtf is pure Python and slow on large files (minutes for a few MB of embedded
pictures); a child process can be stopped when it runs past the limit, a thread cannot.
The child gets the bytes on stdin and writes the text on stdout; a time-out, a crash or a
memory limit becomes one line.
"""

from __future__ import annotations

from desktop_search.core.errors import ExtractionError

from .child import run_child

TIME_LIMIT_S = 30.0
MEMORY_LIMIT = 1024 * 1024 * 1024  # the child's address space
MAX_RTF_BYTES = 64 * 1024 * 1024

_CHILD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
from striprtf.striprtf import rtf_to_text
text = rtf_to_text(sys.stdin.buffer.read().decode("latin-1"), errors="replace")
sys.stdout.buffer.write(text.encode("utf-8", "surrogatepass"))
"""


def rtf_text(data: bytes, time_limit: float = TIME_LIMIT_S) -> str:
    if len(data) > MAX_RTF_BYTES:
        raise ExtractionError(f"RTF file larger than {MAX_RTF_BYTES // 2**20} MB")
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError("corrupt RTF file: it does not start with {\\rtf")
    done = run_child(_CHILD, data, time_limit, late="RTF file", reader="RTF")
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no reason"])[-1]
        if "MemoryError" in last:
            raise ExtractionError("RTF file needs too much memory to read")
        raise ExtractionError(f"corrupt RTF file: {last}"[:300])
    return done.stdout.decode("utf-8", "replace")
