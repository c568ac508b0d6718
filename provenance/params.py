"""Fingerprint and normalisation parameters: recorded in every index, checked on every query."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from provenance.text.normalize import NORMALISER_VERSION

TOKENIZER_VERSION = 2
# Version of the sketches computed from shingles (MinHash scheme, SimHash features, winnowing order).
SKETCH_VERSION = 2


@dataclass(frozen=True)
class FingerprintParams:
    """Everything that changes a fingerprint. Two indexes or queries with different values don't mix."""

    num_perm: int = 128
    minhash_scheme: str = "oph"  # one-permutation hashing with optimal densification
    seed: int = 1
    shingle_cjk: int = 5  # characters per shingle in CJK text
    shingle_words: int = 3  # words per shingle elsewhere
    cjk_share: float = 0.3  # share of CJK tokens above which character shingles are used
    lsh_threshold: float = 0.4  # Jaccard threshold of the MinHash LSH bands
    simhash_bits: int = 64
    simhash_blocks: int = 4
    # Winnowing windows (shingles) for passage postings: any copied run of shingle + window − 1
    # tokens shares a key (5 + 24 − 1 = 28 characters; 3 + 6 − 1 = 8 words). A CJK window of 46
    # (runs of 50, the default min_passage) would halve the postings, but benchmarks/excerpts.py
    # finds 82% instead of 89% of 65-character excerpts with one character in 20 changed.
    winnow_cjk: int = 24
    winnow_words: int = 6
    normaliser: int = NORMALISER_VERSION
    tokenizer: int = TOKENIZER_VERSION
    sketches: int = SKETCH_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FingerprintParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def problems(self) -> list[str]:
        """What makes these parameters unusable (wrong types, values out of range): parameters come
        from rules files and from indexes that may be shared, and a huge ``num_perm`` would make
        every array a scan allocates huge."""
        out = []
        defaults = FingerprintParams()
        for spec in fields(self):
            value, wanted = getattr(self, spec.name), type(getattr(defaults, spec.name))
            if not (type(value) is wanted or (wanted is float and type(value) is int)):
                out.append(f"{spec.name} must be {'a number' if wanted is float else wanted.__name__}, not {value!r}")
        if out:
            return out
        ranges = {"num_perm": (1, 8192), "seed": (0, (1 << 32) - 1), "shingle_cjk": (1, 64), "shingle_words": (1, 64),
                  "cjk_share": (0, 1), "simhash_bits": (1, 64), "simhash_blocks": (1, self.simhash_bits),
                  "winnow_cjk": (1, 1024), "winnow_words": (1, 1024)}
        for name, (low, high) in ranges.items():
            if not low <= getattr(self, name) <= high:
                out.append(f"{name} must be between {low} and {high}, not {getattr(self, name)!r}")
        if not 0 < self.lsh_threshold < 1:
            out.append(f"lsh_threshold must be between 0 and 1 (exclusive), not {self.lsh_threshold!r}")
        return out

    def differences(self, other: FingerprintParams) -> list[str]:
        mine, theirs = self.to_dict(), other.to_dict()
        return [f"{k}: index has {mine[k]!r}, query uses {theirs[k]!r}" for k in mine if mine[k] != theirs[k]]
