"""A steady heap for a long-running service process (glibc's malloc).

glibc serves a large allocation (a numpy array of a long text, a batch's code points) with its
own ``mmap`` and gives it back when freed, but it raises that threshold to the size of every
such block freed, up to 32 MB, so that later blocks of that size come from the heap instead; the
heap keeps its high-water mark and fragments, and a service's memory creeps up with the texts it
has seen (measured: +100 MB over 700 checks in one process, with the live Python objects flat).
Fixing the threshold at 1 MB keeps large blocks mapped and returned, at no measurable cost (a
check allocates a few of them). Smaller blocks (request bodies, texts, reports of the requests in
flight) still leave free holes in the heaps of the threads that made them; ``release_free``, run
every few seconds by the service, hands those pages back (glibc's ``malloc_trim``). Elsewhere
(musl, macOS) nothing is changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import sys

_M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1 << 20


TRIM_EVERY = 5.0  # seconds between two release_free calls of a running service


def _libc_function(name: str) -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # a C library without it
        return None


def steady_heap() -> bool:
    """Fix glibc's mmap threshold in this process; True when it was set."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_free() -> bool:
    """Give the free pages of every heap of this process back to the system; True when done."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    trim(0)
    return True


async def keep_releasing(every: float = TRIM_EVERY) -> None:
    """:func:`release_free` every ``every`` seconds, off the event loop (a background task)."""
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(Exception):
            if not await asyncio.to_thread(release_free):
                return
