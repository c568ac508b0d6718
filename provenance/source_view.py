"""Corpus documents as verification sees them, read from the index without normalising them again.

The index keeps each document's screen text (its normalised body, positions as in ``norm``), the
map from those positions back to the loaded text, and its SimHash. Tokenising the screen text
gives the document's own tokens and shingles, so a candidate is aligned with an article and its
passages are placed in its loaded text at the cost of a tokenisation, not of an analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from provenance.analysis import tokens_and_shingles
from provenance.index.base import Screen
from provenance.params import FingerprintParams
from provenance.text.offsets import OffsetMap
from provenance.text.tokens import Shingles, Tokens


@dataclass
class SourceView:
    """A corpus document's body tokens, shingles and offsets: one side of an alignment."""

    rowid: int
    source: str | None
    screen: str
    tokens: Tokens
    shingles: Shingles
    simhash: int
    offsets_data: bytes

    @cached_property  # for the scores of a candidate that holds a passage; screening needs none
    def unique(self) -> np.ndarray:
        """Sorted distinct shingle hashes."""
        return self.shingles.unique()

    @cached_property
    def is_char(self) -> np.ndarray:
        return np.frombuffer(self.screen.encode("utf-32-le"), "<u4") != 32

    @cached_property  # counts body characters over any span in two lookups (alignment)
    def char_prefix(self) -> np.ndarray:
        """Body characters before each position (one entry more than positions)."""
        return np.concatenate(([0], np.cumsum(self.is_char)))

    @cached_property
    def offsets(self) -> OffsetMap:
        """Loaded-text offset of each screen position (read when a passage is first placed)."""
        return OffsetMap(self.offsets_data, len(self.screen))

    def loaded_span(self, start: int, end: int) -> tuple[int, int]:
        """Span in the document's loaded text covering ``screen[start:end]``."""
        return self.offsets.span(start, end)

    def simhash_distance(self, value: int) -> int:
        return (self.simhash ^ value).bit_count()


def source_views(screens: dict[int, Screen], params: FingerprintParams) -> dict[int, SourceView]:
    """Views of many documents, tokenised and shingled together."""
    rowids = list(screens)
    token_lists, shingle_lists = tokens_and_shingles([screens[r].text for r in rowids], None, params)
    return {
        rowid: SourceView(rowid, screens[rowid].source, screens[rowid].text, tokens, shingles, screens[rowid].simhash,
                          screens[rowid].offsets)
        for rowid, tokens, shingles in zip(rowids, token_lists, shingle_lists, strict=True)
    }
