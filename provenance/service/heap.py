"""A steady heap for a long-running service process (glibc's malloc).

glibc serves a large allocation (a numpy array of a long text, a batch's code points) with its
own ``mmap`` and gives it back when freed, but it raises that threshold to the size of every
such block freed, up to 32 MB, so that later blocks of that size come from the heap instead; the
heap keeps its high-water mark and fragments, and a service's memory creeps up with the texts it
has seen (measured: +100 MB over 700 checks in one process, with the live Python objects flat).
Fixing the threshold at 1 MB keeps large blocks mapped and returned, at no measurable cost (a
check allocates a few of them). Elsewhere (musl, macOS) nothing is changed.
"""

from __future__ import annotations

import ctypes
import sys

_M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1 << 20


def steady_heap() -> bool:
    """Fix glibc's mmap threshold in this process; True when it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
