"""A steady heap for a long-running service process (glibc's malloc).

glibc serves a large allocation (a numpy array of a long text, a batch's code points) with its
own ``mmap`` and gives it back when freed, but it raises that threshold to the size of every
such block freed, up to 32 MB, so that later blocks of that size come from the heap instead; the
heap keeps its high-water mark and fragments, and a service's memory creeps up with the texts it
has seen (measured in one process: +54 MB from the 200th to the 700th check, with the live
Python objects flat; +8 MB with the threshold fixed). Fixing the threshold at 1 MB keeps large blocks mapped and returned. It costs CPU (a block
mapped anew is zeroed by the kernel each time): about 4 % per check in one process (7.8 -> 8.15 ms,
alternated), 9.4 against 8.9 ms per request in the load benchmark, whose memory target it meets
(+9.5 % against +13 % without it; 4 MB: +20 %). Elsewhere (musl, macOS) nothing is changed.
"""

from __future__ import annotations

import ctypes
import functools
import sys

_M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1 << 20


@functools.cache
def _libc_function(name: str) -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # a C library without it
        return None


HEAVY_SECONDS = 0.02


def release_after(cpu_seconds: float) -> bool:
    """Give the heap's free pages back after work that took ``cpu_seconds`` of CPU, if that was
    heavy; True when it did."""
    if cpu_seconds < HEAVY_SECONDS:
        return False
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    trim(0)
    return True


def steady_heap() -> bool:
    """Fix glibc's mmap threshold in this process; True when it was set."""
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
