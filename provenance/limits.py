"""Size caps on everything read from untrusted input: files, decompressed data, parsed structures.

Articles come from anywhere and an index may be shared, so nothing is read, decompressed or
parsed without a bound: a file or a gzip member larger than its cap is an ``unreadable`` item
with the reason, a stored text larger than its cap is an index error. The caps a user could
need to raise are settings of the rules file's ``[limits]`` table (README, "Security")::

    [limits]
    file_bytes = 67108864           # one article file as stored on disk (64 MiB)
    decompressed_bytes = 67108864   # a .jsonl.gz file, or the parts of a .docx, once decompressed (64 MiB)
    front_matter_bytes = 262144     # a front matter block (256 KiB)
    text_chars = 1000000            # one article's text (news runs to tens of thousands; a PDF's
                                    # extraction stops there)

The others are fixed: they bound structures no real input comes near.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from provenance.errors import did_you_mean

MIB = 1 << 20

# Fixed caps (no real input comes near them).
RULES_FILE_BYTES = 64 * MIB  # a rules file: 100,000 [[source]] tables take about 10 MB
BASELINE_FILE_BYTES = 64 * MIB
SOURCE_TOML_BYTES = 1 * MIB  # a folder's source.toml defaults
STORED_TEXT_BYTES = 64 * MIB  # one text stored in an index, once decompressed
STRUCTURE_DEPTH = 64  # nesting of front matter, JSON articles and rules values
ZIP_ENTRIES = 10_000  # entries of a .docx archive (a Word file holds tens; hundreds with many images)
PDF_PAGES = 2_000  # pages of a PDF article (an article runs to a few; a whole edition to a hundred or two)


@dataclass(frozen=True)
class Limits:
    """The caps a user may raise (``[limits]`` in the rules file)."""

    file_bytes: int = 64 * MIB
    decompressed_bytes: int = 64 * MIB
    front_matter_bytes: int = 256 * 1024
    text_chars: int = 1_000_000  # analysing a text takes ~80 bytes a character at its peak

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def to_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in self.keys()}


DEFAULT_LIMITS = Limits()


class TooLarge(Exception):
    """Input beyond a cap; the message names the cap and how to raise it."""


def describe(size: int) -> str:
    """``1536`` → ``1.5 KiB``: sizes in messages."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def read_regular_file(path: str | os.PathLike[str], cap: int, setting: str | None = None) -> bytes:
    """The bytes of a regular file, read-only and at most ``cap`` of them.

    The file is opened without blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO, socket or device is refused without waiting on it (and a file swapped for one between
    a check and the read as well). Raises :class:`OSError` (with ``errno``) or :class:`TooLarge`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({file_kind(info.st_mode)})")
        if info.st_size > cap:
            raise TooLarge(_beyond(info.st_size, cap, setting))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:  # the file grew while being read
                raise TooLarge(_beyond(total, cap, setting))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_file(path: str | os.PathLike[str], cap: int) -> str:
    """A UTF-8 text file (rules, baseline, source.toml) read as :func:`read_regular_file` does.

    Raises :class:`OSError`, :class:`TooLarge` or :class:`UnicodeDecodeError`.
    """
    return read_regular_file(path, cap, None).decode("utf-8")


def gunzip(data: bytes, cap: int, setting: str | None = None) -> bytes:
    """The content of gzip data (every member), decompressed no further than ``cap`` bytes.

    Raises :class:`TooLarge` beyond the cap and :class:`~provenance.errors.LoadError` for
    corrupt or truncated data.
    """
    from provenance.errors import LoadError

    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, cap + 1 - len(out))
        except zlib.error as exc:
            raise LoadError(f"corrupt gzip data: {exc}") from None
        if len(out) > cap or inflater.unconsumed_tail:
            raise TooLarge(_beyond_decompressed(cap, setting))
        if not inflater.eof:
            raise LoadError("corrupt gzip data: the data ends before the end of the compressed stream")
        rest = inflater.unused_data
        if not rest.strip(b"\0"):  # padding after the last member, as gzip(1) allows
            break
    return bytes(out)


def _beyond_decompressed(cap: int, setting: str | None) -> str:
    raise_it = f"; raise [limits] {setting} in the rules file to read it" if setting else ""
    return f"more than the limit of {describe(cap)} once decompressed{raise_it}"


def _beyond(size: int, cap: int, setting: str | None) -> str:
    raise_it = f"; raise [limits] {setting} in the rules file to read it" if setting else ""
    return f"{describe(size)}, larger than the limit of {describe(cap)}{raise_it}"


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def depth_of(value: Any, cap: int = STRUCTURE_DEPTH) -> int:
    """Nesting depth of a parsed structure, counted up to ``cap + 1`` without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list | tuple):
            continue
        deepest = max(deepest, depth)
        if deepest > cap:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list | tuple))
    return deepest


def parse_limits(table: Any, where: str, key_where: Callable[[str], str] | None = None) -> tuple[Limits, list[str]]:
    """The ``[limits]`` table of a rules file: the limits and the problems found (``where: …``, or
    ``key_where(key): …`` when given)."""
    if not isinstance(table, dict):
        return DEFAULT_LIMITS, [f"{where}: [limits] must be a table"]
    problems = []
    values = DEFAULT_LIMITS.to_dict()
    for key, value in table.items():
        at = key_where(key) if key_where else where
        if key not in values:
            problems.append(f"{at}: unknown setting {key!r} in [limits] (known: {', '.join(Limits.keys())})"
                            f"{did_you_mean(key, values)}")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"{at}: limits.{key} must be a positive number of bytes, not {value!r}")
        else:
            values[key] = value
    return Limits(**values), problems


def is_under(path: Path, roots: list[Path]) -> bool:
    """Whether ``path`` (a real path) lies inside one of ``roots`` (real paths)."""
    return any(path == root or root in path.parents for root in roots)
