"""Which corpus files a sharded build takes: ``index build --shard K/N``.

A file's shard is a hash of its path relative to the corpus folder it was found under (the
:attr:`FoundFile.rel <provenance.documents.walk.FoundFile.rel>` that is also its default article
id), modulo N. It depends on nothing else: not on the absolute path, the walk order, the machine
or the other files, so N machines that each walk their own copy of the corpus split it into N
disjoint parts that together cover every file, and a file keeps its shard when others are added.
The path is compared in Unicode NFC, so a copy of the corpus on a file system that stores names
decomposed (macOS) shards the same.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from provenance.errors import ConfigError

_FORM = re.compile(r"(\d{1,9})\s*+/\s*+(\d{1,9})")  # on the stripped text: no backtracking


@dataclass(frozen=True)
class Shard:
    """Shard ``number`` (1-based) of ``count``."""

    number: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.number <= self.count:
            raise ConfigError(f"shard {self.number}/{self.count}: K must be between 1 and N "
                              "(--shard K/N, e.g. 1/3, 2/3 and 3/3 for three builders)")

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"

    def holds(self, rel: str) -> bool:
        """Whether the file at ``rel`` (relative to its corpus folder) belongs to this shard."""
        return shard_of(rel, self.count) == self.number


def shard_of(rel: str, count: int) -> int:
    """The shard (1-based, of ``count``) of the file whose path relative to its corpus folder is ``rel``."""
    name = unicodedata.normalize("NFC", rel)
    digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8, person=b"prov-shard").digest()
    return int.from_bytes(digest, "big") % count + 1


def parse_shard(text: str) -> Shard:
    """``"K/N"`` → :class:`Shard`; anything else raises :class:`ConfigError` saying what is expected."""
    found = _FORM.fullmatch(text.strip())
    if found is None:
        raise ConfigError(f"--shard {text!r}: expected K/N with whole numbers, 1 <= K <= N (e.g. 2/3: the second "
                          "of three builders)")
    number, count = int(found[1]), int(found[2])
    if count < 1 or not 1 <= number <= count:
        shown = f"1/{count} to {count}/{count}" if count >= 1 else "N must be at least 1"
        raise ConfigError(f"--shard {text!r}: K must be between 1 and N (shards are numbered from 1: {shown})")
    return Shard(number, count)
