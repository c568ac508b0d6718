"""Real-world benchmark on the Helsinki-summit articles: wires, site chrome and shared quotations.

The data is ../shared/data/helsinki/helsinki_articles.csv: 612 English articles about the July 2018
Helsinki summit scraped from ~75 sites (columns id, publisher, scrape_time, text with " ### " between
title, byline, date line and paragraphs). The text belongs to its publishers: it is read from
../shared at run time and only written to the work folder.

Protocol. Rows sorted by scrape_time (ties by id); the earlier half (306) is the corpus, one JSON
Lines file (``id`` "h"+id, ``source`` the publisher, ``published`` the scrape time, ``text`` with the
separators turned into newlines); the later half are the incoming articles, one .txt each, whose
front matter gives the site the page is on (``source``: its own name on the page is no credit). Then
``provenance index build`` and ``provenance scan --format json --fail-on never`` through the CLI,
with a rules file of defaults (attribution-required, excerpt_max 0.3, no publisher) and the
subscriptions of a newsroom that runs wire copy (AP, Reuters, AFP, CNN Newsource: their notices
forbid republication to anyone else).

The oracle (this file's own code; nothing of provenance is imported):

- *Text*: per publisher, a line found in at least 3 different stories of that site is chrome (pages
  of one site sharing half their long lines are versions of one story and count once, so an
  updated story's paragraphs are not chrome); lines under 5 words and photo captions are dropped.
- *Grams*: lower-cased word 8-grams over the remaining lines. A gram is a *quotation* when both texts
  have it inside quotation marks (double marks; single marks on lines without double ones; embedded
  tweets and posts; paragraphs displayed after a colon), or when at least 3 documents quote it (a
  statement, such as Trump's tweets, that some pages embed without marks). Other shared grams are
  *narrative*.
- *Copy*: an incoming article copies a corpus text when they share at least 40 narrative grams, or
  at least 15 that are 30 % of the article's grams or 30 % of the corpus text's. Calibration, from
  reading the pairs: AP's successive summit stories repeat two background paragraphs (42-60 grams,
  e.g. h2572 or h4720 against fox8.com's h1214) - a real excerpt; Yahoo and CenturyLink teasers are a
  single paragraph (29-130 grams) and are caught by the shares (h3894 is one AP sentence, 100 % of
  the page); Hot Air's headline pages are 73-87 % of a Post or Politico text; Trump's tweet about
  Moscow alone is ~45 grams, which is why quotations are counted apart rather than by a higher
  threshold; stock phrases ("12 Russian military intelligence officers") stay under 10 grams; one
  recycled AP background sentence is 13-15 grams (h2912, h10168), below the copy threshold: the
  oracle calls such articles *trace*, not clean, and the hand-checked verdicts call them excerpts.
- *Kind*: republication when a copy is at least 50 % of the article's grams or 30 % of the corpus
  text's (DESIGN §5), else excerpt.
- *Credits*: plain patterns for a wire's dateline in the lead (``(AP) —``, ``(Reuters) -``, ``(AFP)``,
  ``(CNN)``, ``(Bloomberg)``), bylines and credit lines ("By The Associated Press", "..., Associated
  Press", "/ AP", "By Reuters", "Reporting by", "..., CNN", "CNN Newsource", NYT and Post syndication
  bylines), the wires' notices, an aggregator's provider line ("Reuters UK•", "NBC News"), and
  contributor lines ("... contributed to this report", which credit a source for an article but do
  not make a corpus text a wire story). Photo captions and credits are removed first.
- *Origin*: the copied passage is a wire's text when corpus texts crediting that wire (for
  themselves, or by a dateline on the very paragraph) hold at least half of it; else the origin is
  the earliest corpus copy. A wire is no-reprint when a corpus text prints its notice forbidding
  republication (AP's and CNN Newsource's do).
- *Category*: credited-wire (the article credits the wire the text comes from), credited-site (it
  names the site of the original), credits-other, uncredited; clean (no copy and under 10 narrative
  grams with every corpus text) or trace (no copy, 10-39 narrative grams).

Measures: credited wire copies judged attributed or excerpt (target >= 95 %), and judged as DESIGN
prescribes (a no-reprint wire's republication is prohibited whatever the credit, unless the
newsroom subscribes to the wire); uncredited or
miscredited republications flagged with an error verdict or with the right original named (target:
all); clean articles with any match; accuracy against the hand-checked verdicts in
benchmarks/data/helsinki-verdicts.jsonl (target >= 95 %), disagreements listed with ``--show N``;
agreement of all 306 verdicts with the oracle's reading; and symptoms (claims that are not credits,
wire notices pinned on carriers, matches on quotations or chrome, chrome titles; see ``symptoms``).

    python benchmarks/realworld.py [--workdir DIR] [--show N] [--json] [--report REPORT.json]
                                   [--oracle-out CASES.jsonl] [--csv PATH] [--jobs 2]

Exit status 0 whatever the numbers (a measurement); 2 when the data is missing or the product gives
no report.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CSV = HERE.parents[1] / "shared" / "data" / "helsinki" / "helsinki_articles.csv"
DEFAULT_VERDICTS = HERE / "data" / "helsinki-verdicts.jsonl"
ERRORS = ("unattributed", "misattributed", "prohibited")
# A newsroom that runs wire copy subscribes to the wires (DESIGN §4 `subscriptions`): their notices
# forbid republication to everyone else, so a subscriber's credited copy is attributed and an
# uncredited one unattributed.
SUBSCRIPTIONS = ("Associated Press", "Reuters", "Agence France-Presse", "CNN Newsource")
SUBSCRIBED = {"Associated Press", "Reuters", "AFP", "CNN"}  # the same wires as the oracle names them
RULES = ("subscriptions = [" + ", ".join(f'"{name}"' for name in SUBSCRIPTIONS) + "]\n"
         '[defaults]\npolicy = "attribution-required"\nexcerpt_max = 0.3\n')

# -- the articles ---------------------------------------------------------------------------------


@dataclass
class Doc:
    """One row of the CSV: ``id`` is "h" + the CSV id, ``text`` has one title/byline/paragraph a line."""

    id: str
    publisher: str
    published: str
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def load_docs(path: Path) -> list[Doc]:
    """All rows, sorted by scrape time (ties by numeric id), the " ### " separators turned into newlines."""
    csv.field_size_limit(1 << 26)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: (r["scrape_time"], int(r["id"])))
    return [Doc("h" + r["id"], r["publisher"], r["scrape_time"], r["text"].replace(" ### ", "\n")) for r in rows]


def split(docs: Sequence[Doc]) -> tuple[list[Doc], list[Doc]]:
    """The earlier half is the corpus, the later half the incoming articles."""
    half = len(docs) // 2
    return list(docs[:half]), list(docs[half:])


# -- the oracle: reuse by word 8-grams, with plain code of its own (no provenance import) ---------

N = 8                  # words per gram
SHORT_LINE = 5         # lines of fewer words are dropped (datelines, "Advertisement", "More", "Close", bylines)
CHROME_STORIES = 3     # a line found in this many different stories of one publisher is that site's chrome
VERSION_JACCARD = 0.5  # two pages of one publisher sharing this share of their long lines show one story
COPY_MIN = 40          # a copy shares at least this many narrative grams with the corpus text...
COPY_SHARE = 0.30      # ...or this share of the article's grams, or EXCERPT_MAX of the source's (and MIN_SHARED)
MIN_SHARED = 15        # shorter overlaps never make a copy
STATEMENT = 3         # a gram quoted in this many documents is a statement, even where one text drops the marks
TRACE = 10             # below this many narrative grams with every corpus text an article is clean
EXCERPT_MAX = 0.3      # DESIGN §4 default: reuse of less than this share of the source is an excerpt...
WIRE_COVER = 0.5       # a copied passage is a wire's text when corpus texts crediting the wire hold this share of it
MOSTLY = 0.5           # ...unless it is at least this share of the article (DESIGN §5 "mostly the source")

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
_SPACE = re.compile(r"[ \t\xa0\u2009\u200a\u202f]+")
_QUOTE_MARK = re.compile(r"[\"“”«»](?P<open>)?")
_SINGLE_MARK = re.compile(r"(?:^|(?<=[\s(\[—–-]))(?P<open>['‘])(?=\w)|(?<=[\w.,!?…])['’](?=$|[\s,.;:!?)\]—–-])")
# Photo captions and credits: not the article's text, and not credits of it.
_CAPTION = re.compile(
    r"\bAP Photo\b|\bGetty Images\b|\bREUTERS/|\bvia REUTERS\b|\bAFP PHOTO\b|/AFP\b|\bPhoto(?:graph)?:|"
    r"\(Photo(?:graph)? by\b|\bImage \d+ of \d+|\bPOOL/|/Pool\b|\bSputnik/|\bTASS\b.*\bPhoto\b", re.I)
# An embedded tweet as scraped: "… — Donald J. Trump (@realDonaldTrump) July 15, 2018".
_TWEET = re.compile(r"(?:—|--)\s*[^\n]{1,60}\(@\w+\)\s+[A-Z][a-z]+ \d{1,2}, \d{4}\s*$")

_SIGNATURE = re.compile(r"^\s*(?:—|--)\s*[^\n]{1,60}\(@\w+\)\s+[A-Z][a-z]+ \d{1,2}, \d{4}\s*$")  # on a line of its own

_EMBED = re.compile(r"^\s*A post shared by\b")  # an Instagram post: the lines above it are the post

Gram = tuple[str, ...]


def line_key(line: str) -> str:
    return _SPACE.sub(" ", line).strip().lower()


def words(line: str) -> list[str]:
    return _WORD.findall(line.lower())


def tagged_words(line: str) -> list[tuple[str, bool]]:
    """The words of one paragraph, each with whether it lies inside quotation marks.

    Curly double marks open and close, straight ones toggle; doubled single marks (‘‘ ’’, `` '')
    count as double ones. A paragraph without double marks may quote with single ones, as some
    British sites do ('…,' he said): a mark before a word opens, one after a word or stop closes,
    an apostrophe inside a word is neither. An embedded tweet is a quotation as a whole.
    """
    if _TWEET.search(line):
        return [(w, True) for w in words(line)]
    line = line.replace("‘‘", "“").replace("’’", "”").replace("``", "“").replace("''", "”")
    marks = _QUOTE_MARK if _QUOTE_MARK.search(line) else _SINGLE_MARK
    out: list[tuple[str, bool]] = []
    inside = False
    pos = 0
    for match in marks.finditer(line):
        out.extend((w, inside) for w in words(line[pos:match.start()]))
        mark = match.group()
        inside = (not inside) if mark == '"' else (mark in "“«" or bool(match.group("open")))
        pos = match.end()
    out.extend((w, inside) for w in words(line[pos:]))
    return out


def chrome(docs: Sequence[Doc]) -> dict[str, set[str]]:
    """Per publisher, the lines (as ``line_key``) found in at least CHROME_STORIES different stories of it.

    Pages of one publisher that share VERSION_JACCARD of their long lines (ten words or more) are
    versions of one story (an update scraped again, an aggregator page seen twice) and count once,
    so the paragraphs of an updated story are not taken for the site's navigation.
    """
    by_pub: dict[str, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_pub[doc.publisher].append(doc)
    result: dict[str, set[str]] = {}
    for publisher, group in by_pub.items():
        keys = [{k for k in map(line_key, d.lines) if k} for d in group]
        long_keys = [{k for k in ks if len(k.split()) >= 10} for ks in keys]
        parent = list(range(len(group)))
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                a, b = long_keys[i], long_keys[j]
                if a and b and len(a & b) / len(a | b) >= VERSION_JACCARD:
                    parent[_root(parent, i)] = _root(parent, j)
        stories: dict[str, set[int]] = defaultdict(set)
        for i, ks in enumerate(keys):
            for k in ks:
                stories[k].add(_root(parent, i))
        result[publisher] = {k for k, s in stories.items() if len(s) >= CHROME_STORIES}
    return result


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def body_lines(doc: Doc, site_chrome: set[str]) -> list[str]:
    """The lines that count as the article's text: no chrome, no short lines, no photo captions."""
    return [line for line in doc.lines
            if len(words(line)) >= SHORT_LINE and line_key(line) not in site_chrome and not _CAPTION.search(line)]


@dataclass
class Grams:
    """A text's word 8-grams (over its body lines in order); ``quoted``: those only ever inside quotes."""

    all: set[Gram]
    quoted: set[Gram]


DISPLAYED = 4  # paragraphs after one ending in a colon that may be a displayed quotation


def grams_of(doc: Doc, site_chrome: set[str]) -> Grams:
    """The text's 8-grams; those wholly inside quotation marks, an embedded tweet or post, or the
    paragraphs displayed after a colon, are its quoted ones (they count as a shared quotation only
    when the other text quotes them too, or when they are a statement quoted across the data)."""
    seq: list[tuple[str, bool]] = []
    lines = doc.lines
    displayed = 0  # paragraphs left of a quotation displayed after "…wrote in full:"
    for i, line in enumerate(lines):
        if len(words(line)) < SHORT_LINE or line_key(line) in site_chrome or _CAPTION.search(line):
            displayed = DISPLAYED if line.rstrip().endswith(":") else max(0, displayed - 1)
            continue
        embedded = (i + 1 < len(lines) and _SIGNATURE.match(lines[i + 1])) or any(
            _EMBED.match(after) for after in lines[i + 1:i + 4])
        if embedded or displayed:
            seq.extend((w, True) for w in words(line))
        else:
            seq.extend(tagged_words(line))
        displayed = DISPLAYED if line.rstrip().endswith(":") else max(0, displayed - 1)
    in_quotes: set[Gram] = set()
    outside: set[Gram] = set()
    for i in range(len(seq) - N + 1):
        window = seq[i:i + N]
        (in_quotes if all(q for _, q in window) else outside).add(tuple(w for w, _ in window))
    return Grams(in_quotes | outside, in_quotes - outside)


# -- credits: whom a text names as the origin of its text (plain patterns, not the product's) ------

_DASH = r"\s*[—–-]{1,2}"
_ALONE = r"\s*$"  # a dateline on a line of its own: "Washington (CNN)"


def _dateline(tag: str) -> re.Pattern[str]:
    return re.compile(r"\(" + tag + r"\)" + _DASH + r"|^[A-Za-z .,/'-]{0,40}\(" + tag + r"\)" + _ALONE, re.M)


# name -> (dateline patterns, which count in the article's lead only; patterns that count anywhere)
WIRES: dict[str, tuple[list[re.Pattern[str]], list[re.Pattern[str]]]] = {
    "Associated Press": ([_dateline("AP")], [
        re.compile(r"^\s*By\b[^\n]{0,200}\b(?:The\s+)?Associated\s+Press\b", re.I | re.M),
        re.compile(r"^[^\n]{0,160},\s*(?:The\s+)?Associated\s+Press\s*$", re.I | re.M),
        re.compile(r"\bby\s+(?:The\s+)?Associated\s+Press\b", re.I),
        re.compile(r"^\s*(?:The\s+)?Associated\s+Press\s*(?:$|[|—–-]|\w+day,)", re.I | re.M),
        re.compile(r"^[A-Z][A-Za-z .,'-]{2,160}\s/\s*AP\s*$", re.M),
        re.compile(r"^\s*By\b[^\n]{0,160}\bAP\s+(?:[A-Z][a-z]+\s+)+Writer\b", re.M),
        re.compile(r"Copyright\s+\d{4}\s+The\s+Associated\s+Press", re.I),
        re.compile(r"\bAssociated\s+Press\s+(?:writers?|reporters?)\b[^\n]{0,160}\bcontributed\b", re.I),
    ]),
    "Reuters": ([_dateline("Reuters")], [
        re.compile(r"^\s*By\s+Reuters\s*$", re.I | re.M),
        re.compile(r"\bReporting by\b", re.I),
        re.compile(r"Thomson\s*/?\s*Reuters\.\s+All rights reserved", re.I),
    ]),
    "AFP": ([_dateline("AFP")], [
        re.compile(r"^\s*By\s+(?:AFP|Agence France-Presse)\b", re.I | re.M),
    ]),
    "Bloomberg": ([_dateline("Bloomberg")], [
        re.compile(r"^\s*(?:By\b)?[^\n]{0,120},\s*Bloomberg(?: News)?\s*$", re.M),
    ]),
    "CNN": ([_dateline("CNN")], [
        re.compile(r"^\s*By\b[^\n]{0,200},\s*CNN\b", re.I | re.M),
        re.compile(r"\bCNN\s*News?[Ss]ource\b"),
    ]),
    "New York Times": ([], [
        re.compile(r"^\s*By\b[^\n]{0,200}\bNew\s+York\s+Times\s*$", re.I | re.M),
    ]),
    "Washington Post": ([], [
        re.compile(r"^\s*By\b[^\n]{0,200}\b(?:The\s+)?Washington\s+Post\s*$", re.I | re.M),
    ]),
}
# "X contributed to this report", "material from X": a credit by an article, not a sign of a wire story.
CONTRIBUTED: dict[str, re.Pattern[str]] = {
    "Associated Press": re.compile(r"\bAssociated\s+Press\b[^\n]{0,60}\bcontributed\b|material from[^\n]{0,60}Associated Press", re.I),
    "Reuters": re.compile(r"\bReuters\b[^\n]{0,60}\bcontributed\b|material from[^\n]{0,60}\bReuters\b", re.I),
    "Bloomberg": re.compile(r"\bBloomberg(?:'s)?\b[^\n]{0,120}\bcontributed\b|material from[^\n]{0,60}\bBloomberg\b"),
    "CNN": re.compile(r"\bCNN's\b[^\n]{0,120}\bcontributed\b"),
}
# A provider line at the head of an aggregator's page ("Reuters UK•", "ABC News•").
_PROVIDER = re.compile(r"^\s*([^•\n]{2,50}?)\s*•\s*$")
_PROVIDER_NAMES = {"reuters": "Reuters", "reuters uk": "Reuters", "reuters india": "Reuters", "reuters videos": "Reuters",
                   "associated press": "Associated Press", "afp": "AFP", "bloomberg": "Bloomberg"}
# A portal's provider line that is only the name ("NBC News" under a CenturyLink video's title).
_BARE_PROVIDER = re.compile(r"^\s*((?:NBC|CBS|ABC|Fox) News|CNN|Reuters|AFP|Bloomberg|USA Today|Associated Press)\s*$")
_OWN_PROVIDER = re.compile(r"^(?:Yahoo\b|IN$)", re.I)
# The wires' own notices forbidding republication (DESIGN §5: AP's notice is AP's no-reprint policy).
NO_REPRINT: dict[str, re.Pattern[str]] = {
    "Associated Press": re.compile(r"Copyright\s+\d{4}\s+The\s+Associated\s+Press\.[^\n]{0,80}may not be published", re.I),
    "CNN": re.compile(r"Copyright\s+\d{4}\s+by\s+CNN\s*News?[Ss]ource\.[^\n]{0,80}may not be published", re.I),
}
# How an article names a publisher of the data when it credits it (the wires' names above included).
SITE_NAMES: dict[str, str] = {
    "cnn.com": "CNN", "nytimes.com": "New York Times", "washingtonpost.com": "Washington Post",
    "usatoday.com": "USA Today", "politico.com": "Politico", "foxnews.com": "Fox News", "cbsnews.com": "CBS News",
    "nbcnews.com": "NBC News", "huffingtonpost.com": "HuffPost", "zerohedge.com": "Zero Hedge",
    "dailycaller.com": "Daily Caller", "washingtontimes.com": "Washington Times", "bostonglobe.com": "Boston Globe",
    "dailymail.co.uk": "Daily Mail", "newsmax.com": "Newsmax", "thehill.com": "The Hill", "yahoo.com/news": "Yahoo",
    "azcentral.com": "Arizona Republic", "indystar.com": "IndyStar", "sfgate.com": "San Francisco Chronicle",
    "chron.com": "Houston Chronicle", "beforeitsnews.com": "Before It's News", "centurylink.net/news": "CenturyLink",
}
_SITE_PATTERNS: dict[str, re.Pattern[str]] = {
    "USA Today": re.compile(r"\bUSA TODAY\b|\busatoday\.com\b", re.I),
    "HuffPost": re.compile(r"\bHuffPost\b|\bHuffington Post\b|\bhuffingtonpost\.com\b", re.I),
    "Zero Hedge": re.compile(r"\bZero ?Hedge\b", re.I),
    "Washington Post": re.compile(r"\b(?:Washington|the) Post\b|\bwashingtonpost\.com\b"),
}
LEAD = 5  # a dateline credit counts in the first LEAD paragraphs of five words or more


def _clean_lines(doc: Doc) -> list[str]:
    return [_SPACE.sub(" ", line) for line in doc.lines if not _CAPTION.search(line)]


def credits(doc: Doc) -> set[str]:
    """The sources the text names as the origin of its own text (wires, syndication, providers).

    Photo captions are removed first. A dateline credit (``HELSINKI (AP) —``) counts only in the
    lead, the first LEAD paragraphs of five words or more: the sidebars of other wire stories at the
    foot of many pages ("SEOUL, South Korea (AP) — …") credit nothing. An aggregator's provider
    line ("ABC News•") in the first four lines credits that provider.
    """
    lines = _clean_lines(doc)
    body = "\n".join(lines)
    lead = "\n".join([line for line in lines if len(words(line)) >= SHORT_LINE][:LEAD])
    found = set()
    for name, (datelines, anywhere) in WIRES.items():
        if any(p.search(lead) for p in datelines) or any(p.search(body) for p in anywhere):
            found.add(name)
    for line in doc.lines[:4]:
        match = _PROVIDER.match(line) or _BARE_PROVIDER.match(line)
        if match and not _OWN_PROVIDER.match(match.group(1)):
            found.add(_PROVIDER_NAMES.get(match.group(1).lower(), match.group(1)))
    return found


def contributions(doc: Doc) -> set[str]:
    """Sources the text says contributed to it ("… and The Associated Press contributed to this report")."""
    body = "\n".join(_clean_lines(doc))
    return {name for name, pattern in CONTRIBUTED.items() if pattern.search(body)}


def line_credits(line: str) -> set[str]:
    """Wires credited by a dateline at the head of this very paragraph ("MOSCOW (AP) — …")."""
    return {name for name, (datelines, _) in WIRES.items() if any(p.search(line[:80]) for p in datelines)}


def names_site(doc: Doc, publisher: str) -> bool:
    """Whether the text names ``publisher`` (its name or domain) outside photo captions."""
    name = SITE_NAMES.get(publisher)
    if name and name in credits(doc) | contributions(doc):
        return True
    text = "\n".join(_clean_lines(doc))
    if re.search(r"\b" + re.escape(publisher.split("/", 1)[0]), text, re.I):
        return True
    pattern = _SITE_PATTERNS.get(name or "")
    if pattern is None and name:
        pattern = re.compile(r"\b" + re.escape(name).replace(r"\ ", r"\s+") + r"\b", re.I)
    return bool(pattern and pattern.search(text))


def notices(doc: Doc) -> set[str]:
    """The wires whose notice forbidding republication the text prints."""
    return {name for name, pattern in NO_REPRINT.items() if pattern.search(doc.text)}


# -- the oracle's cases ---------------------------------------------------------------------------


@dataclass
class Copy:
    """A corpus text the incoming article copies."""

    id: str
    publisher: str
    published: str
    shared: int             # narrative grams in common
    of_article: float       # shared / the article's grams
    of_source: float        # shared / the source's grams
    wires: list[str]        # wires the corpus text credits for itself (its own site's name excluded)


@dataclass
class Case:
    """The oracle's view of one incoming article."""

    id: str
    publisher: str
    grams: int
    credits: list[str]
    best_shared: int = 0    # most narrative grams in common with any corpus text
    best_quoted: int = 0    # most grams in common that are only ever quoted, with any corpus text
    copies: list[Copy] = field(default_factory=list)
    kind: str | None = None         # republication | excerpt (of the best copy), None when clean
    origin: str | None = None       # a wire name, else the id of the earliest copy
    origin_name: str | None = None  # the wire, else the publisher of the earliest copy
    category: str = "clean"         # clean | trace | credited-wire | credited-site | credits-other | uncredited
    no_reprint: bool = False        # the origin is a wire whose notice in the corpus forbids republication
    pairs: dict[str, tuple[int, int]] = field(default_factory=dict)  # corpus id -> (narrative, quoted) grams shared

    @property
    def correct_verdicts(self) -> set[str]:
        """What DESIGN §5 prescribes for the oracle's reading of the article (for the metrics)."""
        if not self.copies:
            return {"original"}
        if self.kind == "excerpt":
            return {"excerpt"}
        if self.no_reprint:
            return {"prohibited"}
        return {"attributed"} if self.category in ("credited-wire", "credited-site") else {
            "misattributed" if self.category == "credits-other" else "unattributed"}


def oracle(corpus: Sequence[Doc], incoming: Sequence[Doc], docs: Sequence[Doc]) -> dict[str, Case]:
    """Each incoming article's copies among the corpus texts, their origin and the credit it gives."""
    site_chrome = chrome(docs)
    grams = {d.id: grams_of(d, site_chrome.get(d.publisher, set())) for d in docs}
    # a statement: a gram inside quotation marks in at least STATEMENT documents (a speaker's words)
    quoted_in = Counter(g for d in docs for g in grams[d.id].quoted)
    statements = {g for g, n in quoted_in.items() if n >= STATEMENT}
    postings: dict[Gram, list[int]] = defaultdict(list)
    for k, doc in enumerate(corpus):
        for gram in grams[doc.id].all:
            postings[gram].append(k)
    no_reprint = set().union(*(notices(d) for d in corpus))
    # what each corpus text credits for itself, less its own site's name; and the datelines per gram
    own = [credits(d) - {SITE_NAMES.get(d.publisher)} for d in corpus]
    datelines = [_gram_datelines(d, site_chrome.get(d.publisher, set())) for d in corpus]
    cases: dict[str, Case] = {}
    for doc in incoming:
        mine = grams[doc.id]
        case = Case(doc.id, doc.publisher, len(mine.all), sorted(credits(doc) | contributions(doc)))
        narrative: dict[int, set[Gram]] = defaultdict(set)
        quotes: Counter[int] = Counter()
        for gram in mine.all:
            for k in postings.get(gram, ()):
                # DESIGN §5: a passage inside quotation marks in both texts is a shared quotation; so is
                # a statement quoted across the data, where a text prints it without marks (a tweet)
                if gram in statements or (gram in mine.quoted and gram in grams[corpus[k].id].quoted):
                    quotes[k] += 1
                else:
                    narrative[k].add(gram)
        case.pairs = {corpus[k].id: (len(narrative.get(k, ())), quotes[k]) for k in set(narrative) | set(quotes)}
        case.best_shared = max(map(len, narrative.values()), default=0)
        case.best_quoted = max(quotes.values(), default=0)
        for k, common in narrative.items():
            shared = len(common)
            size = len(grams[corpus[k].id].all)
            if not (shared >= COPY_MIN or (shared >= MIN_SHARED and (
                    shared >= COPY_SHARE * case.grams or shared >= EXCERPT_MAX * size))):
                continue
            # the passage is a wire's text when the corpus texts crediting the wire hold most of it
            covered: dict[str, set[Gram]] = defaultdict(set)
            for gram in common:
                for j in postings[gram]:
                    for wire in own[j] | datelines[j].get(gram, set()):
                        covered[wire].add(gram)
            wires = {wire for wire, held in covered.items() if len(held) >= WIRE_COVER * shared}
            source = corpus[k]
            case.copies.append(Copy(source.id, source.publisher, source.published, shared, round(shared / case.grams, 3),
                                    round(shared / size, 3), sorted(wires)))
        case.copies.sort(key=lambda c: (-c.shared, c.published))
        if case.copies:
            _judge(case, doc, no_reprint)
        elif case.best_shared >= TRACE:
            case.category = "trace"
        cases[doc.id] = case
    return cases


def _gram_datelines(doc: Doc, site_chrome: set[str]) -> dict[Gram, set[str]]:
    """The grams of each paragraph that opens with a wire's dateline ("MOSCOW (AP) — …"), with the wire."""
    out: dict[Gram, set[str]] = {}
    for line in body_lines(doc, site_chrome):
        wires = line_credits(line)
        if wires:
            ws = words(line)
            for i in range(len(ws) - N + 1):
                out[tuple(ws[i:i + N])] = wires
    return out


def _judge(case: Case, doc: Doc, no_reprint: set[str]) -> None:
    case.kind = "republication" if any(c.of_article >= MOSTLY or c.of_source >= EXCERPT_MAX for c in case.copies) \
        else "excerpt"
    wires = Counter(w for c in case.copies for w in c.wires)
    if wires:  # a wire's (or another external source's) text: that source is the original
        case.origin = case.origin_name = wires.most_common(1)[0][0]
    else:
        first = min(case.copies, key=lambda c: c.published)
        case.origin, case.origin_name = first.id, first.publisher
    case.no_reprint = case.origin_name in no_reprint and case.origin_name not in SUBSCRIBED
    credited = set(case.credits)
    if wires and case.origin_name in credited:
        case.category = "credited-wire"
    elif not wires and names_site(doc, case.origin_name):
        case.category = "credited-site"
    elif credited - {SITE_NAMES.get(case.publisher)}:
        case.category = "credits-other"
    else:
        case.category = "uncredited"


# -- the product ----------------------------------------------------------------------------------


def write_workdir(workdir: Path, corpus: Sequence[Doc], incoming: Sequence[Doc]) -> tuple[Path, Path, Path]:
    """CORPUS/corpus.jsonl, INCOMING/<id>.txt (front matter: its site) and a rules file with the
    defaults only (no publisher)."""
    corpus_dir, incoming_dir = workdir / "corpus", workdir / "incoming"
    for folder in (corpus_dir, incoming_dir):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    with (corpus_dir / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc in corpus:
            record = {"id": doc.id, "source": doc.publisher, "published": doc.published, "text": doc.text}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    for doc in incoming:  # front matter: the site the page is on, as a scraper or a feed knows it
        (incoming_dir / f"{doc.id}.txt").write_text(f"---\nsource: {doc.publisher}\n---\n{doc.text}", encoding="utf-8")
    rules = workdir / "provenance.toml"
    rules.write_text(RULES, encoding="utf-8")
    return corpus_dir, incoming_dir, rules


def run_product(workdir: Path, corpus_dir: Path, incoming_dir: Path, rules: Path, command: list[str],
                jobs: int) -> tuple[dict[str, Any], dict[str, float]]:
    """``index build`` then ``scan`` through the CLI; the JSON report and the seconds each took."""
    index, report = workdir / "index.sqlite", workdir / "report.json"
    for stale in workdir.glob("index.sqlite*"):
        stale.unlink()
    steps = {
        "build": [*command, "index", "build", str(corpus_dir), "--index", str(index), "--rules", str(rules),
                  "--jobs", str(jobs), "-q"],
        "scan": [*command, "scan", str(incoming_dir), "--index", str(index), "--rules", str(rules), "--format", "json",
                 "--output", str(report), "--fail-on", "never", "--jobs", str(jobs), "-q"],
    }
    seconds: dict[str, float] = {}
    for name, argv in steps.items():
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        seconds[name] = round(time.perf_counter() - start, 1)
        if done.returncode not in (0, 1) or (name == "scan" and not report.is_file()):
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8")), seconds


def report_items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Report items by article id (the file name without .txt)."""
    return {Path(item["path"]).stem: item for item in report.get("items", [])}


# -- the measures ---------------------------------------------------------------------------------

_ALIASES = {"ap": "associated press", "the associated press": "associated press", "afp": "afp",
            "agence france-presse": "afp", "cnn newsource": "cnn", "thomson reuters": "reuters"}


def _name(value: str | None) -> str:
    value = (value or "").strip().lower()
    return _ALIASES.get(value, value)


def names_original(item: dict[str, Any], expected: str | None, case: Case | None = None) -> bool:
    """Whether the report's source is ``expected`` (a corpus id or a wire's name) or, given the
    oracle's case, any of the corpus copies or the origin it found."""
    source = item.get("source") or {}
    wanted = {expected} if expected else set()
    if case is not None:
        wanted |= {c.id for c in case.copies} | ({case.origin} if case.origin else set())
    if source.get("id") and source["id"] in wanted:
        return True
    return bool(source.get("external") or not source.get("id")) and _name(source.get("name")) in {_name(w) for w in wanted}


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def load_verdicts(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(cases: dict[str, Case], items: dict[str, dict[str, Any]], hand: Sequence[dict[str, Any]],
            docs: dict[str, Doc], site_chrome: dict[str, set[str]]) -> dict[str, Any]:
    def got(cid: str) -> str:
        return (items.get(cid) or {}).get("verdict", "missing")

    def row(cid: str, expected: Iterable[str] | str, original: str | None = None) -> dict[str, Any]:
        item = items.get(cid) or {}
        source = item.get("source") or {}
        return {"id": cid, "expected": expected if isinstance(expected, str) else "/".join(sorted(expected)),
                "expected_original": original, "got": got(cid), "got_original": source.get("id") or source.get("name"),
                "message": item.get("message")}

    out: dict[str, Any] = {"oracle": dict(Counter(c.category for c in cases.values()))}
    # (1) credited copies of a wire's text
    wire = [c for c in cases.values() if c.category == "credited-wire"]
    ok_literal = [c for c in wire if got(c.id) in ("attributed", "excerpt")]
    ok_design = [c for c in wire if got(c.id) in c.correct_verdicts]
    out["credited_wire"] = {
        "n": len(wire), "by_wire": dict(Counter(c.origin_name for c in wire)),
        "attributed_or_excerpt": len(ok_literal), "share": _share(len(ok_literal), len(wire)),
        "no_reprint": sum(c.no_reprint for c in wire),
        "as_design": len(ok_design), "as_design_share": _share(len(ok_design), len(wire)),
        "errors": sum(got(c.id) in ERRORS for c in wire),
        "wrong": [row(c.id, c.correct_verdicts, c.origin) for c in wire if c not in ok_design]}
    site = [c for c in cases.values() if c.category == "credited-site"]
    ok_site = [c for c in site if got(c.id) in c.correct_verdicts]
    out["credited_site"] = {"n": len(site), "as_design": len(ok_site), "share": _share(len(ok_site), len(site)),
                            "wrong": [row(c.id, c.correct_verdicts, c.origin) for c in site if c not in ok_site]}
    # (2) uncredited republications of a corpus text (credit missing or naming someone else)
    bare = [c for c in cases.values() if c.category in ("uncredited", "credits-other") and c.kind == "republication"]
    flagged = [c for c in bare if got(c.id) in ERRORS]
    named = [c for c in bare if names_original(items.get(c.id) or {}, None, c)]
    either = [c for c in bare if c in flagged or c in named]
    out["uncredited"] = {
        "n": len(bare), "flagged": len(flagged), "flagged_share": _share(len(flagged), len(bare)),
        "names_original": len(named), "flagged_or_named": len(either), "share": _share(len(either), len(bare)),
        "wrong": [row(c.id, ERRORS, c.origin) for c in bare if c not in flagged]}
    small = [c for c in cases.values() if c.category in ("uncredited", "credits-other") and c.kind == "excerpt"]
    out["uncredited_excerpts"] = {"n": len(small), "excerpt": sum(got(c.id) == "excerpt" for c in small)}
    # (3) articles without a copy that the product matches anyway
    clean = [c for c in cases.values() if c.category == "clean"]
    trace = [c for c in cases.values() if c.category == "trace"]
    matched = [c for c in clean if (items.get(c.id) or {}).get("matches")]
    out["clean"] = {"n": len(clean), "matched": len(matched), "errors": sum(got(c.id) in ERRORS for c in clean),
                    "trace_n": len(trace), "trace_matched": sum(bool((items.get(c.id) or {}).get("matches")) for c in trace),
                    "wrong": [row(c.id, "original") for c in matched]}
    # (4) the hand-checked verdicts
    hits = [h for h in hand if got(h["id"]) == h["verdict"]]
    with_original = [h for h in hand if h.get("original")]
    out["hand"] = {
        "n": len(hand), "correct": len(hits), "accuracy": _share(len(hits), len(hand)),
        "original_named": sum(names_original(items.get(h["id"]) or {}, h["original"]) for h in with_original),
        "with_original": len(with_original),
        "by_expected": {v: f"{sum(got(h['id']) == v for h in hand if h['verdict'] == v)}/{n}"
                        for v, n in sorted(Counter(h["verdict"] for h in hand).items())},
        "confusion": {f"{e} -> {g}": n for (e, g), n in sorted(Counter(
            (h["verdict"], got(h["id"])) for h in hand if got(h["id"]) != h["verdict"]).items())},
        "wrong": [row(h["id"], h["verdict"], h.get("original")) for h in hand if h not in hits]}
    # (5) all articles against what the oracle's reading implies
    agree = [c for c in cases.values() if got(c.id) in c.correct_verdicts]
    out["oracle_agreement"] = {"n": len(cases), "agree": len(agree), "share": _share(len(agree), len(cases))}
    out["report"] = dict(Counter(got(c) for c in cases))
    out["symptoms"] = symptoms(cases, items, docs, site_chrome)
    return out


_WIRE_WORDS = re.compile(r"\b(?:AP|Associated Press|Reuters|AFP|Agence France|Bloomberg|CNN|New York Times|"
                         r"Washington Post|USA Today|Politico|CBS|Fox News|Zero ?Hedge)\b", re.I)


def symptoms(cases: dict[str, Case], items: dict[str, dict[str, Any]], docs: dict[str, Doc],
             site_chrome: dict[str, set[str]]) -> dict[str, Any]:
    """The product failures this data shows: how many, and a few examples of each.

    - ``claims_not_credits``: attribution claims that name no wire or outlet the oracle sees credited
      (widgets such as "AccuWeather.com", links, sidebar datelines);
    - ``notice_pinned_on_carrier``: a corpus outlet's document made no-reprint by a wire's notice it
      carries (DESIGN §5: the notice is the wire's policy, not the carrier's);
    - ``matches_on_quotations``: matches with a corpus text that shares fewer than TRACE narrative grams
      with the article but at least TRACE grams that are quotations elsewhere;
    - ``matches_on_chrome``: other matches with no oracle copy behind them whose passages lie mostly on
      the article's chrome, short lines or photo captions;
    - ``matches_other``: the remaining matches with no oracle copy behind them (shorter shared passages);
    - ``chrome_titles``: report titles that are a line of site chrome.
    """
    claims: Counter[str] = Counter()
    found: dict[str, list[str]] = defaultdict(list)
    every_chrome = set().union(*site_chrome.values())
    for cid, item in sorted(items.items()):
        doc, case = docs.get(cid), cases.get(cid)
        if doc is None or case is None:
            continue
        for claim in (item.get("attribution") or {}).get("claims", []):
            if not _WIRE_WORDS.search(claim.get("text") or "") and not any(
                    _name(claim.get("name")) == _name(n) for n in case.credits):
                claims[claim.get("text") or ""] += 1
                found["claims_not_credits"].append(f"{cid}: {claim.get('text')}")
        source = item.get("source") or {}
        if source.get("policy") == "no-reprint" and source.get("id") and re.search(
                r"Associated Press|CNN", source.get("policy_from") or "", re.I):
            found["notice_pinned_on_carrier"].append(f"{cid}~{source['id']}")
        copies = {c.id for c in case.copies}
        chrome_keys = site_chrome.get(doc.publisher, set())
        for match in item.get("matches", []):
            if match.get("id") in copies or not match.get("id"):
                continue
            narrative, quoted = case.pairs.get(match["id"], (0, 0))
            spans = [p["article"] for p in match.get("passages") or [] if p.get("article")]
            if narrative < TRACE and quoted >= TRACE:
                kind = "matches_on_quotations"
            elif spans and all(_in_chrome(doc.text, span, chrome_keys) for span in spans):
                kind = "matches_on_chrome"
            else:
                kind = "matches_other"
            found[kind].append(f"{cid}~{match['id']}")
        for title in (source.get("title"), item.get("title")):
            if title and line_key(title) in every_chrome:
                found["chrome_titles"].append(f"{cid}: {title[:40]}")
    out: dict[str, Any] = {}
    for key in ("claims_not_credits", "notice_pinned_on_carrier", "matches_on_quotations", "matches_on_chrome",
                "matches_other", "chrome_titles"):
        out[key] = {"n": len(found[key]), "examples": found[key][:6]}
    out["claims_not_credits"]["top"] = dict(claims.most_common(8))
    return out


def _in_chrome(text: str, span: Sequence[int], chrome_keys: set[str]) -> bool:
    """Whether the article's characters in ``span`` lie mostly on its chrome or short lines."""
    start, end = int(span[0]), int(span[1])
    inside = total = 0
    pos = 0
    for line in text.split("\n"):
        lo, hi = max(start, pos), min(end, pos + len(line))
        if hi > lo:
            total += hi - lo
            if line_key(line) in chrome_keys or len(words(line)) < SHORT_LINE or _CAPTION.search(line):
                inside += hi - lo
        pos += len(line) + 1
    return total > 0 and inside >= 0.5 * total


# -- output ---------------------------------------------------------------------------------------


def _print(result: dict[str, Any], show: int) -> None:
    def listing(rows: Sequence[dict[str, Any]]) -> None:
        for r in rows[:show]:
            original = f" ({r['expected_original']})" if r.get("expected_original") else ""
            print(f"    {r['id']}: expected {r['expected']}{original}, got {r['got']} ({r['got_original']}): "
                  f"{(r['message'] or '')[:220]}")

    w, s, u, e, c, h = (result[k] for k in ("credited_wire", "credited_site", "uncredited", "uncredited_excerpts",
                                             "clean", "hand"))
    print(f"data      {result['data']}: {result['articles']} articles, corpus {result['corpus']}, "
          f"incoming {result['incoming']}; workdir {result['workdir']}")
    print(f"product   index build {result['seconds'].get('build')} s, scan {result['seconds'].get('scan')} s; "
          f"verdicts {json.dumps(result['report'], sort_keys=True)}")
    print(f"oracle    {json.dumps(result['oracle'], sort_keys=True)}")
    print(f"\ncredited wire copies            {w['n']} {json.dumps(w['by_wire'], sort_keys=True)}")
    print(f"  attributed or excerpt         {w['attributed_or_excerpt']}  share {w['share']}  (target >= 0.95)")
    print(f"  as DESIGN prescribes          {w['as_design']}  share {w['as_design_share']}  ({w['no_reprint']} of a "
          f"no-reprint wire: prohibited unless an excerpt)")
    print(f"  judged an error               {w['errors']}")
    if show:
        listing(w["wrong"])
    print(f"credited copies of a site       {s['n']}, as DESIGN prescribes {s['as_design']}  share {s['share']}")
    if show:
        listing(s["wrong"])
    print(f"uncredited republications       {u['n']}: flagged {u['flagged']} (share {u['flagged_share']}), "
          f"right original named {u['names_original']}, either {u['flagged_or_named']}  share {u['share']}  "
          f"(target: all)")
    if show:
        listing(u["wrong"])
    print(f"uncredited excerpts             {e['n']}, judged excerpt {e['excerpt']}")
    print(f"clean articles (no copy)        {c['n']}: with any match {c['matched']}, judged an error {c['errors']}; "
          f"sharing a shorter passage {c['trace_n']}: with any match {c['trace_matched']}")
    if show:
        listing(c["wrong"])
    print(f"\nhand-checked verdicts           {h['n']}: correct {h['correct']}  accuracy {h['accuracy']}  "
          f"(target >= 0.95); original named {h['original_named']}/{h['with_original']}")
    print(f"  by expected verdict           {json.dumps(h['by_expected'], sort_keys=True)}")
    print(f"  confusion (expected -> got)   {json.dumps(h['confusion'], sort_keys=True)}")
    if show:
        listing(h["wrong"])
    a = result["oracle_agreement"]
    print(f"all articles vs the oracle      {a['agree']}/{a['n']}  share {a['share']}")
    print("\nsymptoms (see symptoms() for what each counts)")
    for key, value in result["symptoms"].items():
        detail = value.get("top") or value["examples"]
        print(f"  {key:28s} {value['n']:4d}  {json.dumps(detail, ensure_ascii=False)[:300] if detail else ''}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="the articles (default ../shared/data/helsinki)")
    parser.add_argument("--verdicts", type=Path, default=DEFAULT_VERDICTS, help="the hand-checked verdicts")
    parser.add_argument("--workdir", type=Path, help="work folder (default: a temporary one, removed afterwards)")
    parser.add_argument("--report", type=Path, help="score this JSON report instead of running the product")
    parser.add_argument("--provenance", default=None, help="the CLI command (default: provenance on PATH, "
                        "else python -m provenance)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", type=int, default=0, metavar="N", help="list up to N disagreements per measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--oracle-out", type=Path, help="write the oracle's cases here (JSON Lines)")
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        print(f"realworld: {args.csv}: no such file (the Helsinki articles of ../shared/data/helsinki)",
              file=sys.stderr)
        return 2
    docs = load_docs(args.csv)
    corpus, incoming = split(docs)
    cases = oracle(corpus, incoming, docs)
    if args.oracle_out:
        with args.oracle_out.open("w", encoding="utf-8") as handle:
            for case in cases.values():
                handle.write(json.dumps(_case_json(case), ensure_ascii=False) + "\n")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-realworld-"))
    workdir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    try:
        if args.report:
            report = json.loads(args.report.read_text(encoding="utf-8"))
        else:
            corpus_dir, incoming_dir, rules = write_workdir(workdir, corpus, incoming)
            command = args.provenance.split() if args.provenance else (
                ["provenance"] if shutil.which("provenance") else [sys.executable, "-m", "provenance"])
            report, seconds = run_product(workdir, corpus_dir, incoming_dir, rules, command, args.jobs)
    except (OSError, RuntimeError, json.JSONDecodeError) as exc:
        print(f"realworld: the product did not give a report: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    by_id = {d.id: d for d in docs}
    result = measure(cases, report_items(report), load_verdicts(args.verdicts), by_id, chrome(docs))
    result.update({"data": str(args.csv), "articles": len(docs), "corpus": len(corpus), "incoming": len(incoming),
                   "workdir": str(workdir) if args.workdir else "(temporary, removed)", "seconds": seconds,
                   "verdicts": str(args.verdicts)})
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print(result, args.show)
    return 0


def _case_json(case: Case) -> dict[str, Any]:
    return {"id": case.id, "publisher": case.publisher, "category": case.category, "kind": case.kind,
            "origin": case.origin, "origin_name": case.origin_name, "no_reprint": case.no_reprint,
            "credits": case.credits, "grams": case.grams, "best_shared": case.best_shared,
            "best_quoted": case.best_quoted, "expected": sorted(case.correct_verdicts),
            "copies": [vars(c) for c in case.copies[:5]]}


if __name__ == "__main__":
    sys.exit(main())
