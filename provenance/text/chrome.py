"""Per-source templates ("chrome"): lines a source repeats across its pages, learnt from the corpus.

Scraped news pages carry their site's furniture as text: "Advertisement", share bars ("A link has
been posted to your Facebook feed."), comment guidelines, newsletter boxes, a weather widget
("AccuWeather.com Quick Look", "Enter City and State or Zip Code"), "Back to Gallery". Global
document-frequency suppression misses it: a block held by 20 pages of one site in a corpus of
300 is far below the corpus-wide threshold. The rule kept here: **lines repeated across many
documents of one source are that source's chrome — never evidence, never claims, never titles.**

Line keys
---------
Every line of a text (a line of the loaded text as ``mid`` splits it, the numbering claims use)
that holds a letter or digit has a 64-bit key: 48 bits of BLAKE2b over its ``norm`` form with the
spaces taken out (case, width, script, punctuation and spaces ignored) and, in the low 16 bits,
the length of that form (capped at 65,535), so the rule reads a line's length from its key.

Counting (index time)
---------------------
Both index backends keep, for each (source, line key), the row ids of the source's documents
holding the line (its count is their number), added and taken away with the documents as the
posting lists are. What the index stores for a document never depends on the chrome learnt so
far: a removed document's keys are derived again from its text and come out the same. Chrome is
applied on the scan side only, by :class:`Chrome`, made from the counts when an index is opened
for scanning, so it follows the corpus as it grows.

The rule (per source, over the lines held by at least ``MIN_HOLDERS`` = 3 of its documents)
----------------------------------------------------------------------------------------------
A line is chrome when the documents holding it are **different stories**: at least
``MIN_STORIES`` = 3 of them, or ``MIN_STORIES_LONG`` = 5 for a line longer than ``LONG_LINE`` = 120
characters (a paragraph needs more proof than a button label).

Two documents of the source are *versions of one story* when they share at least
``VERSION_LINES`` = 2 long lines (``VERSION_LINE`` = 60 characters or more) adding up to
``VERSION_CHARS`` = 200 characters, counting only lines held by at most ``VERSION_HOLDERS`` = 6 of
the source's documents; versions are joined transitively, and each group counts as one story.
An outlet carrying 2–4 updates of one wire story repeats its paragraphs across them; those
updates share many long lines, so its paragraphs stay evidence. Chrome lines are short and shared
by pages that otherwise share nothing long; the cap of six holders keeps a long line that is
itself chrome (a newsletter blurb on every page) from making all the pages versions of each other.
Counting uses at most ``HOLDER_SAMPLE`` = 256 holders of a line (the first the backend returns).

Measured on the Helsinki articles (612 real pages of ~100 outlets, the earlier half as corpus):
picked, e.g., yahoo.com/news "More" (73 of 96 pages), dailymail.co.uk "Advertisement",
"RELATED ARTICLES", the 5-day forecast line; usatoday.com "A link has been posted to your
Facebook feed.", "To find out more about Facebook commenting please read the Conversation
Guidelines and FAQs", "CONNECT TWEET LINKEDIN COMMENTEMAILMORE"; newsmax.com "Click Here to
comment on this article", "Related Stories:"; cnn.com "Read More", "Chat with us in Facebook
Messenger…", "JUST WATCHED" and a recurring video teaser; news.google.com "share", "more_vert";
the Advance weather box of nj.com, nola.com, syracuse.com (three or more pages each). Not picked:
the paragraphs of dispatch.com's three updates of one AP story, of click2houston.com's four
versions of one CNN story, of cnn.com's live-blog snapshots, dailymail.co.uk's story bullets held
by four versions of one story, news.google.com's snippets shared by near-identical snapshots of
one listing page, and long paragraphs in three or four pages (cnbc.com, omaha.com) that the long-line
bar keeps.

Applying it (scan time)
-----------------------
- An incoming article's lines that are chrome of *any* indexed source become ``chrome`` blocks
  (:mod:`provenance.text.blocks`): out of tokens, shingles and passage keys, never evidence.
- No credit is read from a chrome line, with one exception: a line that holds a credit *form*
  (``来源：新华社``, ``Source: …``, a marked link, a dateline or byline) stays a credit line and its
  claim stands. A portal reprinting many Xinhua stories repeats ``来源：新华社`` across different
  stories: that repetition is the outlet crediting its source every time, not page furniture.
  A bare domain (``AccuWeather.com Quick Look``) on a chrome line is dropped.
- A corpus document's stored claims on chrome lines of its own source are dropped the same way
  (:meth:`Chrome.claims_of`), and a stored title that is a chrome line of its source gives way to
  the document's first line that is not (:meth:`Chrome.title_of`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from provenance.text.blocks import is_editor_line, is_meta_line, is_notice
from provenance.text.normalize import Normalized, normalise, normalise_levels

if TYPE_CHECKING:
    from provenance.credits.claims import Attribution
    from provenance.index.base import IndexBackend, StoredDoc

MIN_HOLDERS = 3  # documents of a source holding a line before it can be chrome
MIN_STORIES = 3  # different stories among them
LONG_LINE = 120  # characters (norm, spaces out) beyond which a line needs MIN_STORIES_LONG
MIN_STORIES_LONG = 5
VERSION_LINE = 60  # a line this long can tie two documents as versions of one story
VERSION_CHARS = 200  # shared characters of such lines that make two documents versions
VERSION_LINES = 2  # and in at least this many lines
VERSION_HOLDERS = 6  # lines held by more documents of the source are not version evidence
HOLDER_SAMPLE = 256  # holders of a line read to count its stories
TITLE_CHARS = 120  # a first line longer than this is no title (as the loaders decide)

LENGTH_BITS = 16
_LENGTH_MASK = (1 << LENGTH_BITS) - 1
_NEWLINE = 0x0A
_SPACE = 0x20


# -- line keys -----------------------------------------------------------------------------
def _line_key(folded: str) -> int:
    """The key of one line's ``norm`` form without spaces (never 0 for a non-empty line)."""
    digest = int.from_bytes(hashlib.blake2b(folded.encode("utf-8"), digest_size=6).digest(), "big")
    return (digest << LENGTH_BITS) | max(1, min(len(folded), _LENGTH_MASK))


def line_keys(normalized: Normalized) -> np.ndarray:
    """Per line of ``mid`` (split at line breaks, as claims number lines): the line's key, or 0
    for a line without letters or digits (uint64)."""
    mid = normalized.mid
    breaks = []
    at = mid.find("\n")
    while at >= 0:
        breaks.append(at)
        at = mid.find("\n", at + 1)
    norm = normalized.norm
    if not norm:
        return np.zeros(len(breaks) + 1, dtype=np.uint64)
    offsets = normalized.norm_off
    # loaded-text offset of each line break: a norm character belongs to the line whose break
    # comes after it (norm holds no line break; its spaces are dropped from keys)
    bounds = normalized.mid_off[np.array(breaks, dtype=np.int64)] if breaks else np.zeros(0, np.int64)
    if (offsets[1:] < offsets[:-1]).any() or (bounds[1:] < bounds[:-1]).any():  # not expected: norm keeps the order of mid
        starts, ends, norm = _line_ranges_unordered(norm, offsets, bounds)
    else:  # each line's norm characters are those before its break and from the break before it on
        cuts = np.searchsorted(offsets, bounds, side="left").tolist()
        starts, ends = [0, *cuts], [*cuts, len(norm)]
    # _line_key written out (one call fewer a line; a non-empty line's length is at least 1)
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    keys: list[int] = []
    for start, end in zip(starts, ends, strict=True):
        folded = norm[start:end].replace(" ", "") if end > start else ""
        keys.append(((from_bytes(blake2b(folded.encode("utf-8"), digest_size=6).digest(), "big") << LENGTH_BITS)
                     | min(len(folded), _LENGTH_MASK)) if folded else 0)
    return np.array(keys, dtype=np.uint64)


def _line_ranges_unordered(norm: str, offsets: np.ndarray,
                           bounds: np.ndarray) -> tuple[list[int], list[int], str]:
    """Each line's range of ``norm`` characters (and ``norm`` with its characters put in line order)."""
    owner = np.searchsorted(bounds.astype(np.int64), offsets.astype(np.int64), side="right")
    if owner.size > 1 and (np.diff(owner) < 0).any():
        order = np.argsort(owner, kind="stable")
        norm = "".join(norm[i] for i in order.tolist())
        owner = owner[order]
    lines = np.arange(bounds.size + 1)
    return (np.searchsorted(owner, lines, side="left").tolist(), np.searchsorted(owner, lines, side="right").tolist(),
            norm)


def distinct_keys(keys: np.ndarray) -> np.ndarray:
    """The distinct non-zero keys of :func:`line_keys` (sorted uint64): what a document holds."""
    keys = np.asarray(keys, dtype=np.uint64)
    return np.unique(keys[keys != 0])


def key_length(key: int) -> int:
    """The length (characters of the line's ``norm`` form without spaces) a key carries."""
    return int(key) & _LENGTH_MASK


def text_line_keys(text: str) -> np.ndarray:
    """:func:`line_keys` of a loaded text."""
    return line_keys(normalise(text))


# -- the rule ------------------------------------------------------------------------------
@dataclass
class SourceLines:
    """A source's lines held by at least ``MIN_HOLDERS`` of its documents, as an index returns
    them: keys (uint64), counts, and the row ids of (up to ``HOLDER_SAMPLE`` of) their holders."""

    keys: np.ndarray
    counts: np.ndarray
    holders: list[np.ndarray]


def chrome_keys(lines: SourceLines, one_story: Iterable[int] = ()) -> np.ndarray:
    """The keys among ``lines`` that are the source's chrome (sorted uint64); see the module
    docstring for the rule and its numbers. ``one_story``: holders known to be versions of one
    story besides what the version rule finds (they and their versions count as one story)."""
    keys = np.asarray(lines.keys, dtype=np.uint64)
    if keys.size == 0:
        return keys
    lengths = (keys & np.uint64(_LENGTH_MASK)).astype(np.int64)
    counts = np.asarray(lines.counts, dtype=np.int64)
    story = _stories(lines, lengths, counts)
    joined = {story.get(doc, doc) for doc in one_story}
    if joined:
        first = min(joined)
        story = {doc: first if group in joined else group for doc, group in story.items()}
        story.update({doc: first for doc in one_story})
    picked = []
    for k in range(keys.size):
        if counts[k] < MIN_HOLDERS:
            continue
        holders = lines.holders[k]
        stories = len({story.get(int(doc), int(doc)) for doc in holders.tolist()})
        if stories >= (MIN_STORIES if lengths[k] <= LONG_LINE else MIN_STORIES_LONG):
            picked.append(keys[k])
    return np.array(sorted(picked), dtype=np.uint64)


def _stories(lines: SourceLines, lengths: np.ndarray, counts: np.ndarray) -> dict[int, int]:
    """Row id → the representative of its group of versions (documents in no group are absent)."""
    evidence = [k for k in range(counts.size)
                if lengths[k] >= VERSION_LINE and 2 <= counts[k] <= VERSION_HOLDERS
                and lines.holders[k].size == counts[k]]
    if not evidence:
        return {}
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    by_size: dict[int, list[int]] = {}
    for k in evidence:
        by_size.setdefault(int(counts[k]), []).append(k)
    for size, members in by_size.items():
        held = np.sort(np.stack([lines.holders[k] for k in members]), axis=1)
        pairs = np.array(list(combinations(range(size), 2)), dtype=np.int64)
        firsts.append(held[:, pairs[:, 0]].ravel())
        seconds.append(held[:, pairs[:, 1]].ravel())
        weights.append(np.repeat(lengths[members], len(pairs)))
    a, b, w = np.concatenate(firsts), np.concatenate(seconds), np.concatenate(weights)
    pairs, inverse = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    chars = np.bincount(inverse, weights=w, minlength=len(pairs))
    shared = np.bincount(inverse, minlength=len(pairs))
    linked = pairs[(chars >= VERSION_CHARS) & (shared >= VERSION_LINES)]
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for first, second in linked.tolist():
        ra, rb = find(first), find(second)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {doc: find(doc) for doc in list(parent)}


# -- applying it ---------------------------------------------------------------------------
def _is_bare_link(kind: str | None, text: str, url: str | None) -> bool:
    """A link claim that is only an address (``AccuWeather.com``), not a credit form."""
    return kind == "link" and url is not None and text.strip() == url.strip()


def drop_claims(attribution: Attribution, chrome_lines: set[int]) -> set[int]:
    """Drop the claims read from chrome lines, in place; return the lines that stay chrome.

    A line holding a credit form (anything but a bare address) is no chrome: its claims stand.
    """
    if not chrome_lines:
        return chrome_lines
    credited = {c.line for c in attribution.claims
                if c.line in chrome_lines and not _is_bare_link(c.kind, c.text, c.url)}
    chrome = chrome_lines - credited
    attribution.claims = [c for c in attribution.claims if c.line is None or c.line not in chrome]
    return chrome


class Chrome:
    """The chrome of every source of an index, as the rule finds it when the index is opened."""

    def __init__(self, by_source: dict[str, np.ndarray] | None = None) -> None:
        self.by_source = {name: np.unique(np.asarray(keys, dtype=np.uint64)) for name, keys in (by_source or {}).items()
                          if len(keys)}  # sorted: looked up by binary search
        every = [keys for keys in self.by_source.values()]
        self.keys = np.unique(np.concatenate(every)) if every else np.zeros(0, dtype=np.uint64)

    @classmethod
    def load(cls, index: IndexBackend) -> Chrome:
        """The chrome of the sources of ``index`` (reads only the lines held by three or more of a
        source's documents)."""
        return cls({name: chrome_keys(lines) for name, lines in index.frequent_lines(MIN_HOLDERS, HOLDER_SAMPLE).items()})

    def __len__(self) -> int:
        return int(self.keys.size)

    def of(self, source: str | None) -> np.ndarray:
        """The chrome line keys of one source (sorted uint64; empty for an unknown source)."""
        return self.by_source.get(source or "", np.zeros(0, dtype=np.uint64))

    def lines(self, keys: np.ndarray, source: str | None = None) -> set[int]:
        """Numbers of the lines (given by their :func:`line_keys`) that are chrome of ``source``,
        or of any source when none is given."""
        chrome = self.keys if source is None else self.of(source)
        if not chrome.size or not len(keys):
            return set()
        return set(np.flatnonzero(_among(np.asarray(keys, dtype=np.uint64), chrome)).tolist())

    def claims_of(self, doc: StoredDoc) -> list[dict[str, Any]]:
        """The document's stored claims without those read from chrome lines of its own source
        (a line holding a credit form keeps its claims, as :func:`drop_claims` decides)."""
        chrome = self.of(doc.source)
        if not chrome.size or not doc.claims:
            return list(doc.claims)
        stored = _claim_line_keys(doc.claims)
        if stored is not None:  # the index kept each claim's line key: no need to read the text's lines
            numbers = list(stored)
            found = _among(np.array(list(stored.values()), dtype=np.uint64), chrome) if numbers else []
            lines = {numbers[k] for k in np.flatnonzero(found).tolist()}
        else:
            lines = self.lines(_document_lines(doc.text)[0], doc.source)
        if not lines:
            return list(doc.claims)
        credited = {c.get("line") for c in doc.claims
                    if c.get("line") in lines and not _is_bare_link(c.get("kind"), _claim_text(doc.text, c), c.get("url"))}
        return [c for c in doc.claims if c.get("line") is None or c.get("line") not in lines - credited]

    def title_of(self, doc: StoredDoc) -> str | None:
        """The document's title with chrome set aside: its stored title unless that is a chrome
        line of its source; else its first line that can be a title — not chrome, not boilerplate
        (an editor or byline line, a date line, a notice), with four letters or more — or None
        when the first such line is longer than a title (``TITLE_CHARS``): the body has begun."""
        title = doc.title
        chrome = self.of(doc.source)
        if not title or not chrome.size:
            return title
        title_keys = _title_keys(title)
        if not _among(title_keys, chrome).any():
            return title
        keys, lines = _document_lines(doc.text)
        for number in np.flatnonzero((keys != 0) & ~_among(keys, chrome)).tolist():
            line = lines[number].strip()
            if len(line) > TITLE_CHARS:
                return None
            if _could_be_title(line):
                return line
        return None

    def clean(self, doc: StoredDoc) -> StoredDoc:
        """``doc`` with :meth:`claims_of` and :meth:`title_of` applied (in place; returned)."""
        if self.of(doc.source).size:
            doc.claims = self.claims_of(doc)
            doc.title = self.title_of(doc)
        return doc

    def clean_all(self, docs: Iterable[StoredDoc]) -> None:
        for doc in docs:
            self.clean(doc)

    def shared_template(self, article_keys: np.ndarray, docs: Sequence[StoredDoc],
                        index: IndexBackend | None = None, copies: Sequence[bool] = ()) -> np.ndarray:
        """Lines of an article that the documents it matched hold as a *shared* template: the
        chrome of sister sites each too small in the corpus to show it alone (a publishing
        group's weather box on three of its papers' pages). A line counts when documents of at
        least two sources hold it and those documents are, by :func:`chrome_keys`' rule, at
        least ``MIN_STORIES`` different stories (copies of one wire story hold its paragraphs
        too, but they are versions of one story). A line of figures (more digits than letters,
        a table's row) is the story's data, never a template: versions of one table share only
        short lines, which the version rule does not read. ``copies`` (per document): the
        document is a version of the article's own story, whole or cut (:func:`is_story_copy`);
        all such copies count as one story, whatever their lines' lengths
        (hard-wrapped wire copies share only short lines, which the version rule does not read).
        Returns the keys (sorted uint64), none of them chrome already.

        With ``index`` (the one the documents come from), the lines it counted per source first
        tell whether any line of the article is held by ``MIN_HOLDERS`` of the documents at all;
        when none is, the documents' texts are not read (normalising every matched text is the
        costly part, and most articles that match several pages share no whole line with them)."""
        article = distinct_keys(article_keys)
        if article.size == 0 or len(docs) < MIN_HOLDERS:
            return np.zeros(0, dtype=np.uint64)
        article = article[~np.isin(article, self.keys)] if self.keys.size else article
        if index is not None and not _held_enough(index, article.tolist(), docs,
                                                  {doc.rowid for doc, copy in zip(docs, copies, strict=False) if copy}):  # copies: may be ()
            return np.zeros(0, dtype=np.uint64)
        holders: dict[int, list[int]] = {}
        sources: dict[int, set[str]] = {}
        wanted = set(article.tolist())
        figures: set[int] = set()  # lines of figures: a table's row is its story's data, never a template
        for k, doc in enumerate(docs):
            keys, texts = _document_lines(doc.text)
            for key, line in zip(keys.tolist(), texts, strict=True):
                if key in wanted and key not in figures and _is_figures(line):  # only the article's lines matter
                    figures.add(key)
            for key in distinct_keys(keys).tolist():
                holders.setdefault(key, []).append(k)
                if key_length(key) and doc.source:
                    sources.setdefault(key, set()).add(doc.source)
        wanted -= figures
        keys = [key for key, held in holders.items() if len(held) >= 2]
        if not any(key in wanted and len(holders[key]) >= MIN_HOLDERS for key in keys):
            return np.zeros(0, dtype=np.uint64)
        keys.sort()
        lines = SourceLines(np.array(keys, dtype=np.uint64), np.array([len(holders[k]) for k in keys], dtype=np.int64),
                            [np.array(holders[k], dtype=np.int64) for k in keys])
        one_story = [k for k, copy in enumerate(copies) if copy]
        found = [key for key in chrome_keys(lines, one_story).tolist()
                 if key in wanted and len(sources.get(key, ())) >= 2]
        return np.array(sorted(found), dtype=np.uint64)

    def with_keys(self, keys: np.ndarray) -> Chrome:
        """This chrome and ``keys`` as chrome of no particular source (see :meth:`shared_template`)."""
        merged = Chrome(dict(self.by_source))
        if len(keys):
            merged.keys = np.union1d(merged.keys, np.asarray(keys, dtype=np.uint64))
        return merged

    def summary(self) -> dict[str, int]:
        """Chrome lines per source (for statistics and tests)."""
        return {name: int(keys.size) for name, keys in sorted(self.by_source.items())}


def _among(keys: np.ndarray, chrome: np.ndarray) -> np.ndarray:
    """Which of ``keys`` (uint64) are in ``chrome`` (sorted uint64, not empty) and not 0: one
    binary search per key (``np.isin`` sorts both arrays on every call)."""
    at = np.minimum(np.searchsorted(chrome, keys), chrome.size - 1)
    return (chrome[at] == keys) & (keys != 0)


def _claim_line_keys(claims: Sequence[dict[str, Any]]) -> dict[int, int] | None:
    """Line number → line key of the claims read from lines, as the index stored them; None when
    some claim on a line lacks a usable key (an index built before keys were kept)."""
    out: dict[int, int] = {}
    for claim in claims:
        line = claim.get("line")
        if line is None:
            continue
        key = claim.get("line_key")
        if type(line) is not int or type(key) is not int or not 0 <= key <= _MAX_KEY:
            return None
        out[line] = key
    return out


_MAX_KEY = (1 << 64) - 1


STORY_SHARE = 0.5  # share of the article found in a matched text, or of it in the article, that makes one story


def is_story_copy(scores: Any) -> bool:
    """A matched document (its ``match.Scores``) that holds most of the article, or most of whose
    text the article holds: a version of the article's own story, whole or cut. A page sharing
    only a widget or a box with the article holds little of it, and it of the page."""
    return max(scores.containment, scores.source_coverage) >= STORY_SHARE


def _held_enough(index: IndexBackend, keys: list[int], docs: Sequence[StoredDoc], copies: set[int]) -> bool:
    """Whether some of ``keys`` may be held by ``MIN_HOLDERS`` of ``docs`` of ``MIN_STORIES``
    stories, by the index's line counts (True when it cannot tell; a document without a source,
    whose lines are not counted, is taken to hold them all). ``copies``: row ids of copies of the
    article's story, which count as one story."""
    if not keys:
        return False
    holders = index.line_holders(keys, [(doc.rowid, doc.source) for doc in docs if doc.source])
    if holders is None:
        return True
    unknown = sum(1 for doc in docs if not doc.source)
    for key in keys:
        held = holders.get(key, set())
        if len(held) + unknown >= MIN_HOLDERS and len(held - copies) + bool(held & copies) + unknown >= MIN_STORIES:
            return True
    return False


_NOT_TITLE = re.compile(r"(?:by|updated|posted|published|photo|image|video)\b", re.I)


def _could_be_title(line: str) -> bool:
    """A line that may be a headline: not a byline or date line, editor line or notice."""
    if sum(ch.isalpha() for ch in line) < 4 or _NOT_TITLE.match(line):
        return False
    return not (is_editor_line(line) or is_meta_line(line) or is_notice(line))


def _claim_text(text: str, claim: dict[str, Any]) -> str:
    span = claim.get("span")
    if isinstance(span, Sequence) and len(span) == 2:
        return text[int(span[0]) : int(span[1])]
    return ""


@lru_cache(maxsize=1024)  # the titles of matched documents recur across a scan
def _title_keys(title: str) -> np.ndarray:
    mid, norm = normalise_levels(title)
    if "\n" in mid:
        return text_line_keys(title)
    folded = norm.replace(" ", "")  # one line: line_keys' key of it
    return np.array([_line_key(folded) if folded else 0], dtype=np.uint64)


def _is_figures(line: str) -> bool:
    """A line of a table of figures ("Net 658,159 vs 299,930"): more digits than letters."""
    digits = len(_DIGIT.findall(line))
    return digits > 0 and digits >= len(_LETTER.findall(line))


_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=64)  # a matched document's lines are read for its claims and its title
def _document_lines(text: str) -> tuple[np.ndarray, list[str]]:
    """:func:`line_keys` of a loaded text, and the loaded text of each of those lines."""
    normalized = normalise(text)
    lines = []
    position = 0
    for piece in normalized.mid.split("\n"):
        start, end = normalized.mid_span(position, position + len(piece))
        lines.append(text[start:end])
        position += len(piece) + 1
    return line_keys(normalized), lines
