"""The service's heap gives large blocks back (provenance.service.heap)."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from provenance.service.heap import steady_heap

_ANON_KB = textwrap.dedent("""
    def anon_kb():
        for line in open("/proc/self/status"):
            if line.startswith("RssAnon"):
                return int(line.split()[1])
        return 0
""")
_PROBE = _ANON_KB + textwrap.dedent("""
    import sys
    from provenance.service.heap import steady_heap


    if sys.argv[1] == "steady":
        assert steady_heap()
    small = [bytearray(200) for _ in range(2000)]
    start = anon_kb()
    grown = 0
    for size in (4, 6, 8, 6, 4, 8):  # blocks freed raise glibc's own threshold past the next ones
        block = bytearray(size << 20)
        block[::4096] = b"x" * len(block[::4096])  # touched: resident
        kept = [bytearray(100) for _ in range(100)]  # small blocks allocated after it pin the heap
        del block
        small.extend(kept)
        grown = max(grown, anon_kb() - start)
    print(grown)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc: Linux only")
def test_large_blocks_go_back_after_use() -> None:
    steady = int(subprocess.run([sys.executable, "-c", _PROBE, "steady"], capture_output=True, text=True,
                                check=True).stdout)
    assert steady < 2048, f"{steady} KB of freed blocks kept resident"


def test_steady_heap_applies_on_glibc_only() -> None:
    assert steady_heap() is (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc")



_HEAVY = _ANON_KB + textwrap.dedent("""
    import sys
    from provenance.service.heap import HEAVY_SECONDS, release_after, steady_heap


    steady_heap()
    blocks = [bytearray(64 << 10) for _ in range(400)]  # 25 MB under the threshold: from the heap
    pin = bytearray(70 << 10)  # from the heap after them (not Python's small-object arenas): the top stays
    del blocks
    before = anon_kb()
    assert not release_after(HEAVY_SECONDS / 2)  # light work: nothing given back
    assert anon_kb() > before - 1024
    assert release_after(HEAVY_SECONDS)
    print(before - anon_kb())
""")


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
                    reason="glibc's malloc_trim")
def test_free_pages_go_back_after_heavy_work() -> None:
    returned = int(subprocess.run([sys.executable, "-c", _HEAVY], capture_output=True, text=True,
                                  check=True).stdout)
    assert returned > 16 << 10, f"only {returned} KB given back"
