"""Every regular expression of the package runs in time linear in its input, adversarial text included.

Article text is untrusted: a pattern that backtracks (nested or adjacent overlapping quantifiers, an
unanchored search whose every start re-scans the rest of a run, a lazy ``.*?`` before a failing tail)
lets one long line stall a scan. Each module-level pattern is run over strings made by repeating a
short piece at two sizes, and the time must grow about as fast as the size: this compares the
pattern with itself, so it holds on a fast machine and a slow one.
"""

from __future__ import annotations

import gc
import importlib
import math
import pkgutil
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

import provenance
from provenance.analysis import analyse
from provenance.credits.names import NameRegistry
from provenance.documents.model import Article
from provenance.params import FingerprintParams

SMALL, LARGE = 2_000, 16_000
# Linear growth gives a ratio of 8 for an 8× larger input, quadratic 64: the bound leaves room for noise.
RATIO = 24.0
TINY = 0.005  # CPU seconds: when the larger input takes less, the pattern is fast whatever its growth
MIN_CAP = 0.5  # seconds: no run is stopped sooner

# Pieces repeated into adversarial text: runs of URL and name characters, words, brackets,
# whitespace and line breaks, credit markers. Each pattern also gets pieces from its own source.
FIXED_PIECES = (
    "a.", "a", "A ", " ", "a ", "(", "中", "中 ", "1", "1.", "-", "—", "http://a", "www.", ": ", "来源", "By ",
    "\n", " \n", "\n ", "a-", "a@", "a.b", "A", "Aa ", "A.", "A-", "a.com", "a.com/", "\t", "。", "，", "：",
    "中(", "(a", "a)", "【", "据中", "a|", "by a ", "'", "\"", "---\n", "a.jsonl", "1:", "中1", "1月", "a/",
    "http://a.a", "来源：", "Source: a", "(A", "(A)", "A -", "x" * 7 + ".", "中。", "? ", ". ", "ang",
)
# A word of the pattern (a credit marker, a role…) before a long run and a character that makes the
# match fail at the end: the backtracking of one start over the whole run.
RUNS = ((" ", "!"), (" ", ","), ("a.", ","), ("a-", ","), ("A ", ","), ("\n", ","), ("中", ","))
HEADS = ("来源：", "Source: ", "link ", "原标题：a", "(A", "by ", "据")


def _modules() -> Iterator[object]:
    yield provenance
    for info in pkgutil.walk_packages(provenance.__path__, "provenance."):
        if info.name.rpartition(".")[2] == "__main__":
            continue  # runs the command line on import
        yield importlib.import_module(info.name)


def _patterns_in(value: object, name: str) -> Iterator[tuple[str, re.Pattern[str]]]:
    if isinstance(value, re.Pattern):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _patterns_in(item, f"{name}[{key!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for k, item in enumerate(value):
            if isinstance(item, re.Pattern | dict | list | tuple):
                yield from _patterns_in(item, f"{name}[{k}]")


def module_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern held at module level (alone or in a dict/list/tuple), by a readable name."""
    found: dict[tuple[str, int], tuple[str, re.Pattern[str]]] = {}
    for module in _modules():
        for attr, value in vars(module).items():
            for name, pattern in _patterns_in(value, f"{module.__name__}.{attr}"):
                if isinstance(pattern.pattern, str):
                    found.setdefault((pattern.pattern, pattern.flags), (name, pattern))
    return dict(found.values())


def texts_for(pattern: re.Pattern[str]) -> list[tuple[str, str, str]]:
    """(head, piece, tail) triples: the piece repeated between head and tail makes a text.

    The fixed pieces, each character of the pattern's source but letters and digits (alone, and
    before a space when ASCII), and runs after the pattern's words and some credit markers.
    """
    source = pattern.pattern
    pieces = list(FIXED_PIECES)
    for ch in sorted(set(source)):
        if ch.isascii() and ch.isalnum():
            continue  # runs of "a", "A", "1" stand for them; the pattern's words come below
        if ch.isprintable() or ch.isspace():
            pieces += [ch, ch + " "] if ch.isascii() else [ch]
    triples = [("", piece, "") for piece in dict.fromkeys(pieces)]
    words = sorted(set(re.findall(r"[A-Za-z]{2,}|[\u4e00-\u9fff]{2,}", source)))
    for head in dict.fromkeys([*HEADS, *words]):
        triples += [(head, piece, tail) for piece, tail in RUNS]
    return triples


def adversarial(piece: str, size: int, head: str = "", tail: str = "") -> str:
    return head + (piece * (size // len(piece) + 1))[:size] + tail


class _Overtime(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt a run after ``seconds`` (the regex engine checks for signals): a cubic pattern on
    16,000 characters would otherwise run for hours."""
    if (seconds == math.inf or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):  # someone else's alarm (pytest-timeout…)
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def best_of(run: Callable[[], object], repeat: int, cap: float = math.inf) -> float:
    """The shortest of ``repeat`` runs, in CPU seconds of this thread (time spent waiting for a
    core while other work runs on the machine is not the pattern's); infinite when one run
    outlasts ``cap`` seconds of wall time. The garbage collector is off, as in timeit: a full
    collection costs as much as the rest of the suite holds, not as the input."""
    best = math.inf
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.thread_time()
            try:
                with _deadline(cap):
                    run()
            except _Overtime:
                return math.inf
            best = min(best, time.thread_time() - start)
    finally:
        if collecting:
            gc.enable()
    return best


def scaling(make: Callable[[int], Callable[[], object]], small: int = SMALL, large: int = LARGE,
            repeat: int = 3) -> str | None:
    """How the time grows from ``small`` to ``large`` when faster than linear (None when not, or when
    the larger run is tiny).

    Each size is timed once. A pause of the machine must not fail the test: a ratio over the bound
    is measured again (both sizes, ``repeat`` runs) up to three rounds, unless a second run of the
    larger size still shows it twice over. Each size may take at most ``2 * RATIO`` times the size
    below it (an eighth of ``small`` first) before it is stopped.
    """
    def cap(below: float) -> float:
        return max(MIN_CAP, 2 * RATIO * below)

    t_tiny = best_of(make(small // 8), 1)
    run_small = make(small)
    t_small = best_of(run_small, 1, cap(t_tiny))
    if t_small == math.inf:
        return f"over {cap(t_tiny):.2f} s at {small} characters, {t_tiny * 1e3:.2f} ms at {small // 8}"
    run_large = make(large)
    t_large = best_of(run_large, 1, cap(t_small))
    for round_ in range(4):
        if t_large < TINY or t_large <= RATIO * t_small:
            return None
        if round_ == 3 or (round_ == 1 and t_large > 2 * RATIO * t_small):
            break  # over the bound after every round, or far over it after two
        t_small = min(t_small, best_of(run_small, repeat, cap(t_tiny)))
        t_large = min(t_large, best_of(run_large, 1 if round_ == 0 else repeat - 1, cap(t_small)))
    return f"{t_small * 1e3:.1f} ms at {small} characters, " + (
        f"over {cap(t_small):.2f} s" if t_large == math.inf else f"{t_large * 1e3:.1f} ms") + f" at {large}"


def _finditer(pattern: re.Pattern[str], head: str, piece: str, tail: str) -> Callable[[int], Callable[[], object]]:
    def make(size: int) -> Callable[[], object]:
        text = adversarial(piece, size, head, tail)
        return lambda: sum(1 for _ in pattern.finditer(text))
    return make


def slow_texts(pattern: re.Pattern[str], limit: int = 1) -> list[str]:
    """Descriptions of up to ``limit`` adversarial texts on which ``pattern`` grows faster than linear."""
    slow = []
    for head, piece, tail in texts_for(pattern):
        found = scaling(_finditer(pattern, head, piece, tail))
        if found is not None:
            slow.append(f"{head!r} + {piece!r}×n + {tail!r}: {found}")
            if len(slow) >= limit:
                break
    return slow


PATTERNS = module_patterns()


def test_patterns_are_found() -> None:
    names = set(PATTERNS)
    assert any(name.startswith("provenance.credits.claims.") for name in names)
    assert any(name.startswith("provenance.text.blocks.") for name in names)
    assert any(name.startswith("provenance.credits.disclaimers.") for name in names)
    assert len(PATTERNS) >= 40


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_runs_in_linear_time(name: str) -> None:
    pattern = PATTERNS[name]
    slow = slow_texts(pattern)
    assert not slow, f"{name} ({pattern.pattern!r}) grows faster than linear on " + "; ".join(slow)


# -- the credit reader as a whole: long lines after credit markers, many credit lines -------------

# Every credit pattern's literals, so that no whole-text search skips the pattern.
_ALL_MARKERS = "新华社北京1月2日电 据新华社报道 本报讯 A - B by x|y (AP) 原文 source link www.a.com\n"
CREDIT_LINES = {  # head, repeated piece, tail
    "dotted run after 来源": ("标题\n来源：", "a.", "\n见 x.com\n"),
    "dotted run after Source:": ("Title\nSource: ", "a.", "\nsee x.com\n"),
    "dotted run after 原文链接": ("标题\n原文链接：", "a.", "\n见 x.com\n"),
    "dotted run, domain first": ("标题\n见 x.com\n来源：", "a.", "\n"),
    "hyphen run after 来源": ("标题\n见 x.com\n来源：", "a-", "\n"),
    "link markers in a run": ("Title\nx.com\n", "link-", "\n"),
    "URL markers in a run": ("标题\n", "来源：http://", "\n"),
    "Source markers in a run": ("Title\n", "(Source: http://", "\n"),
    "spaces after 来源": ("标题\n来源", " ", ",\n"),
    "spaces after courtesy": ("Title\ncourtesy", " ", ",\n"),
    "spaces after 原标题": ("标题\n原标题：a", " ", "b\n"),
    "spaces after a role": ("标题\n编辑", " ", ",\n"),
    "words after Source:": ("Title\nSource: ", "A ", "\n"),
    "agency brackets": ("Title\n", "(A", "\n"),
    "dateline words": ("Title\n", "A -", "\n"),
    "report marker": ("标题\n", "据中", "\n"),
    "blank lines": (_ALL_MARKERS, "\n", "x"),
    "space lines": (_ALL_MARKERS, " \n", "x"),
    "credit lines": ("标题\n", "来源：新华社\n", ""),
    "editor lines": ("标题\n", "编辑：张三\n", ""),
    "notice lines": ("标题\n", "版权所有 不得转载\n", ""),
    "ticker lines": ("标题\n", "12 34\n", ""),
}


@pytest.mark.parametrize("case", sorted(CREDIT_LINES))
def test_credit_extraction_is_linear(case: str) -> None:
    head, piece, tail = CREDIT_LINES[case]
    params, registry = FingerprintParams(), NameRegistry()

    def make(size: int) -> Callable[[], object]:
        article = Article(id="x", path="x", text=adversarial(piece, size, head, tail))
        return lambda: analyse(article, params, registry, language="zh")

    found = scaling(make, 5_000, 40_000, repeat=2)
    assert found is None, f"{case}: {found}"


def test_the_check_catches_a_quadratic_pattern() -> None:
    """The measure itself: a search that rescans a run of spaces from every start is flagged."""
    assert scaling(_finditer(re.compile(r" *,"), "", " ", "x")) is not None
    assert scaling(_finditer(re.compile(r"(?<! ) ++,"), "", " ", "x")) is None  # tried once per run
