"""One path for every text: load → normalise → blocks → claims → language → shingles → fingerprint.

Corpus documents and incoming articles go through :func:`analyse` alike, so a copy and its
original are always compared like with like. One difference, on purpose: an incoming article is
analysed with the chrome of the index it is scanned against (``chrome``, see
:mod:`provenance.text.chrome`), whose lines become boilerplate; a corpus document never is, so what
the index stores for it does not depend on what was learnt from the documents before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from provenance.credits.claims import Attribution, Claim, caption_lines, credit_spans, extract
from provenance.credits.disclaimers import Disclaimer, read_disclaimer
from provenance.credits.names import NameRegistry
from provenance.documents.model import Article
from provenance.fingerprint import Fingerprint, fingerprint_many
from provenance.params import FingerprintParams
from provenance.text.blocks import NOTICE, Block, body_mask, classify_lines
from provenance.text.chrome import Chrome, drop_claims, line_keys
from provenance.text.codepoints import to_codepoints, to_text
from provenance.text.language import detect_language
from provenance.text.normalize import Normalized, normalise
from provenance.text.offsets import encode_offsets
from provenance.text.tokens import Shingles, Tokens, groups, shingle_many, tokenize_many


@dataclass
class Analysis:
    """Everything derived from one article's text."""

    article: Article
    normalized: Normalized
    blocks: list[Block]
    attribution: Attribution
    mask: np.ndarray
    tokens: Tokens
    shingles: Shingles
    unique: np.ndarray  # sorted unique shingle hashes
    language: str | None
    fingerprint: Fingerprint
    disclaimers: list[Disclaimer]
    # per line of ``mid``: its key (text.chrome.line_keys; 0 for a line without letters or digits)
    line_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @property
    def body_chars(self) -> int:
        return int(np.count_nonzero(self.is_char))

    @cached_property  # read by every alignment of this article
    def is_char(self) -> np.ndarray:
        """Per ``norm`` character: a body character other than a space (what copied text counts)."""
        return self.mask & (np.frombuffer(self.normalized.norm.encode("utf-32-le"), "<u4") != 32)

    @cached_property  # counts body characters over any span in two lookups (alignment)
    def char_prefix(self) -> np.ndarray:
        """Body characters before each position (one entry more than positions)."""
        return np.concatenate(([0], np.cumsum(self.is_char)))

    @cached_property  # the screen's passage bound reads it for every shared shingle
    def reach_prefix(self) -> np.ndarray:
        """Each token's start, then the last token's end, counted from the first token's start:
        the text tokens ``[a, b)`` reach, each with what follows it up to the next token, is
        ``reach_prefix[b] - reach_prefix[a]`` (one entry more than tokens)."""
        starts, ends = self.tokens.starts, self.tokens.ends
        if starts.size == 0:
            return np.zeros(1, dtype=np.int64)
        return np.append(starts, ends[-1]) - starts[0]

    def loaded_span(self, start: int, end: int) -> tuple[int, int]:
        """Span in the loaded text covering ``norm[start:end]``."""
        return self.normalized.loaded_span(start, end)


def shingle_size(tokens: Tokens, params: FingerprintParams) -> int:
    return params.shingle_cjk if tokens.cjk_share >= params.cjk_share else params.shingle_words


def window_size(tokens: Tokens, params: FingerprintParams) -> int:
    return params.winnow_cjk if tokens.cjk_share >= params.cjk_share else params.winnow_words


# Texts tokenised and shingled together, at most: a batch's arrays stay under 1 MB (8 bytes a
# character), so they come from the heap and are used again, instead of being mapped, zeroed and
# given back for every batch (a service fixes glibc's mmap threshold at 1 MB: service.heap), and
# within the token power tables kept between calls (a longer batch makes tables of its own).
GROUP_CHARS = 1 << 16


def tokens_and_shingles(norms: Sequence[str], masks: Sequence[np.ndarray | None] | None,
                        params: FingerprintParams) -> tuple[list[Tokens], list[Shingles]]:
    """Tokens (CJK characters only in CJK text) and shingles of many folded texts, in one pass
    over each group of texts of up to ``GROUP_CHARS`` characters."""
    lengths = [len(norm) + 1 for norm in norms]
    if len(norms) > 1 and sum(lengths) > GROUP_CHARS:
        tokens: list[Tokens] = []
        shingles: list[Shingles] = []
        for lo, hi in groups(lengths, GROUP_CHARS):
            more_tokens, more_shingles = tokens_and_shingles(norms[lo:hi], masks[lo:hi] if masks is not None else None, params)
            tokens += more_tokens
            shingles += more_shingles
        return tokens, shingles
    token_lists = tokenize_many(norms, masks)
    token_lists = [t.only_cjk() if t.cjk_share >= params.cjk_share else t for t in token_lists]
    return token_lists, shingle_many(token_lists, [shingle_size(t, params) for t in token_lists])


def analyse(article: Article, params: FingerprintParams, registry: NameRegistry | None = None,
            language: str | None = None, detect: bool = True, publisher: str | None = None,
            known_claims: list[dict[str, Any]] | None = None, chrome: Chrome | None = None) -> Analysis:
    """Analyse one article.

    ``language`` given (or ``detect=False``) skips language detection; ``known_claims`` (the claims
    an index stored for this text, with spans and lines) replace reading the credits again;
    ``chrome`` (incoming articles only) makes the lines that are chrome of an indexed source
    boilerplate and reads no credit from them.
    """
    return analyse_many([article], params, registry, [language], detect, publisher,
                        None if known_claims is None else [known_claims], chrome)[0]


def analyse_many(articles: Sequence[Article], params: FingerprintParams, registry: NameRegistry | None = None,
                 languages: Sequence[str | None] | None = None, detect: bool = True, publisher: str | None = None,
                 known_claims: Sequence[list[dict[str, Any]] | None] | None = None,
                 chrome: Chrome | None = None) -> list[Analysis]:
    """Analyse many articles: each is normalised on its own, then all are tokenised, shingled and
    fingerprinted together (a fixed number of numpy passes for the whole batch). ``chrome``: as
    for :func:`analyse`."""
    prepared = [
        _prepare(article, registry, publisher, None if known_claims is None else known_claims[k], chrome)
        for k, article in enumerate(articles)
    ]
    token_lists, shingle_lists = tokens_and_shingles([p[0].norm for p in prepared], [p[3] for p in prepared], params)
    uniques = [s.unique() for s in shingle_lists]
    fingerprints = fingerprint_many([s.hashes for s in shingle_lists], uniques,
                                    [window_size(t, params) for t in token_lists], params)
    out = []
    for k, (normalized, blocks, attribution, mask, keys) in enumerate(prepared):
        language = languages[k] if languages is not None else None
        if language is None and detect:
            body_text = " ".join(normalized.mid[s:e] for s, e in _body_mid_ranges(normalized, blocks))
            language = detect_language(body_text)
        disclaimers = []
        for block in blocks:
            if block.kind == NOTICE:
                found = read_disclaimer(block.text)
                if found:
                    disclaimers.append(found)
        out.append(Analysis(articles[k], normalized, blocks, attribution, mask, token_lists[k], shingle_lists[k],
                            uniques[k], language, fingerprints[k], disclaimers, keys))
    return out


def _prepare(article: Article, registry: NameRegistry | None, publisher: str | None,
             known_claims: list[dict[str, Any]] | None,
             chrome: Chrome | None) -> tuple[Normalized, list[Block], Attribution, np.ndarray, np.ndarray]:
    """Normalised text, line blocks, credits, body mask and line keys of one article."""
    normalized = normalise(article.text)
    keys = line_keys(normalized)
    blocks = classify_lines(normalized)
    if known_claims is not None and all("span" in c and "line" in c for c in known_claims):
        attribution = Attribution(claims=[
            Claim(text=article.text[c["span"][0]:c["span"][1]], name=c.get("name") or "", kind=c.get("kind") or "",
                  span=(int(c["span"][0]), int(c["span"][1])), url=c.get("url"), resolved=c.get("resolved"),
                  line=c.get("line"), origin=c.get("origin") is not False)
            for c in known_claims
        ])
        attribution.captions = caption_lines(normalized)
    else:
        attribution = extract(normalized, blocks, article, registry, publisher)
    chrome_lines = drop_claims(attribution, chrome.lines(keys)) if chrome is not None and len(chrome) else set()
    credit_lines, spans = credit_spans(normalized, attribution)
    captions = attribution.captions
    if credit_lines or spans or chrome_lines or captions:
        blocks = classify_lines(normalized, credit_lines, spans, chrome_lines, captions)
    return normalized, blocks, attribution, body_mask(normalized, blocks), keys


def screen_text(analysis: Analysis) -> str:
    """The body of ``norm`` as tokenisation sees it: characters outside the body become spaces, so
    positions stay those of ``norm``. Tokenising it gives the analysis's own tokens; an index that
    keeps it (with :func:`screen_offsets`) can verify a candidate without normalising it again."""
    cps = to_codepoints(analysis.normalized.norm)
    cps[~analysis.mask] = 0x20
    return to_text(cps)


def screen_offsets(analysis: Analysis) -> bytes:
    """The stored form of the map from ``norm`` (and screen text) positions to the loaded text."""
    return encode_offsets(analysis.normalized.norm_off)


def _body_mid_ranges(normalized: Normalized, blocks: list[Block]) -> list[tuple[int, int]]:
    """Ranges of ``mid`` outside boilerplate blocks."""
    if not blocks:
        return [(0, len(normalized.mid))]
    size = len(normalized.mid)
    # One search for all blocks (a search for one Python int copies the int32 offsets each time),
    # covered ranges marked by counting starts and ends (blocks may overlap).
    bounds = np.array([(block.start, block.end) for block in blocks], dtype=np.int64)
    lo = np.searchsorted(normalized.mid_off, bounds[:, 0], side="left")
    hi = np.searchsorted(normalized.mid_off, bounds[:, 1], side="left")
    some = lo < hi
    depth = np.bincount(lo[some], minlength=size + 1) - np.bincount(hi[some], minlength=size + 1)
    inside = np.cumsum(depth[:size]) > 0
    edges = np.flatnonzero(np.diff(np.concatenate(([True], inside, [True])).astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))  # runs of outside
