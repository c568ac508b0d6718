"""A steady heap for a long-running service process (glibc's malloc).

glibc serves a large allocation (a numpy array of a long text, a batch's code points) with its
own ``mmap`` and gives it back when freed, but it raises that threshold to the size of every
such block freed, up to 32 MB, so that later blocks of that size come from the heap instead; the
heap keeps its high-water mark and fragments, and a service's memory creeps up with the texts it
has seen (measured in one process: +54 MB from the 200th to the 700th check, with the live
Python objects flat; +8 MB with the threshold fixed). :func:`steady_heap` fixes the threshold at
1 MB, in the serving process and in each check process of ``--workers N``: large blocks stay
mapped and are given back. It costs CPU (a block mapped anew is zeroed by the kernel each time),
less since texts are tokenised in groups whose arrays stay under 1 MB (``analysis.GROUP_CHARS``).
Measured on the load benchmark's check processes: without it their anonymous memory grew +8.6 and
+12.1 % over two runs, with a 4 MB threshold +13.5 %, with 1 MB +8.7 %.

A heavy check (many long candidates) still raises the heap with blocks under the threshold, and
what it frees stays with the process: a check process ended a load run 10 to 20 MB above its
start. After work that took more than ``HEAVY_SECONDS`` of CPU (about the slowest 7 % of checks),
:func:`release_after` gives the heap's free pages back (``malloc_trim``: about 0.5 ms, 0.4 % of all
checking): +4.3 to +8.6 % over five runs. Elsewhere (musl, macOS) nothing is changed.
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
