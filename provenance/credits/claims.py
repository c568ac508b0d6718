"""Attribution claims an article makes about its source, and the people lines that are not claims.

Claims are read from the ``mid`` level of the text (Simplified, half-width, pinyin removed), so
one set of patterns serves both scripts; every claim keeps its span in the loaded text. Kinds:

``explicit``  来源：X, 稿源：X, 转载自X, 本文来自X, 原载X, ``Source: X``, ``Originally published by X``…
``link``      原文链接：URL, 阅读原文 URL, a URL or bare domain in a credit line, ``<a href>`` in HTML
``dateline``  新华社北京7月15日电, 中新网7月15日电, （中央社記者…台北15日電）, X讯, 央视网消息; ``(Reuters) -``,
              ``WASHINGTON, July 15 (Reuters) -``, ``HELSINKI (AP) —``, ``AP - …``; and citations in the
              narration: 据X报道, X报道，…, "according to AP", "Reuters reported"
``byline``    ``By The Associated Press``, ``By Reuters``, ``By JILL COLVIN, Associated Press``,
              ``By Jane Miller | Reuters``, 新华社记者 张三
``trailer``   ``(Reporting by X; Editing by Y)`` (Reuters house style, so a claim of Reuters),
              ``Associated Press writers X and Y contributed to this report.``, a closing ``Reuter``
``notice``    a wire's own copyright notice: ``© 2018 The Associated Press. All rights reserved…``,
              ``Copyright 2018 by CNN NewSource…``, 新华社版权所有 (see :mod:`provenance.credits.wires`)
``meta``      schema.org ``isBasedOn``/``sourceOrganization``/``creditText``, IPTC credit/source

``Claim.origin`` says whether the claim states where the TEXT comes from: a dateline opening a
paragraph, a byline, a trailer, a wire notice, an explicit credit line, a link credit and metadata
do; a citation inside the narration (据新华社报道, "Reuters reported", "according to AP") does not.

Not credits of the text (DESIGN §5), and read as no claim: photo, graphic and video credits
(``(AP Photo/…)``, ``REUTERS/…``, ``Photo: Reuters``, 图片来源：…, 图/新华社, …摄), widgets and ad
units ("Provided by …", weather boxes, "Sponsored", "Powered by"), related-article lists
(``Related:``, ``Read more:``, 相关阅读, 延伸阅读) and social-media embeds (``— Name (@handle) July 16,
2018``, ``pic.twitter.com/…``, "View this post on Instagram").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, pairwise
from typing import Any, NamedTuple

from provenance.credits.names import NameRegistry, domain_of
from provenance.credits.wires import latin_names, notice_owners, registry_resolves
from provenance.documents.model import Article
from provenance.text.blocks import (
    EDITOR,
    FOLDS_TO_ASCII,
    NOTICE,
    Block,
    Line,
    line_kinds,
    split_lines,
)
from provenance.text.normalize import Normalized

_TLD = r"(?:com|cn|net|org|hk|tw|info|news|io|co|uk|de)"
_URL_CHARS = r"[^\s)\]】>\"'，。；;]"
_PATH_CHARS = r"[^\s)\]】>\"'，。]"
# A URL or bare domain anywhere in a line. A search never finds a domain starting right after a
# label character, or after one and a dot: such a match extends to the left, where it is found
# first. The look-behinds say so, or every label of "a.a.a…" would start a scan to the run's end.
_URL = (
    r"(?:https?://|www\.)" + _URL_CHARS + r"+|(?<![a-z0-9-])(?<![a-z0-9-]\.)(?:[a-z0-9-]++\.)+" + _TLD
    + r"(?:/" + _PATH_CHARS + r"*)?"
)
# A URL right after a credit marker. Markers can repeat inside one run of URL characters, each
# scanning the rest of the run again ("link-link-…", "来源：http://来源：http://…"), so the labels
# (63 characters, as DNS allows; 32 of them) and the address (2,048 characters) are bounded.
# (A label is followed by a dot, which it cannot hold: giving back its characters never helps, so
# they are possessive here and above.)
_MARKED_URL = (
    r"(?:https?://|www\.)" + _URL_CHARS + r"{1,2048}|(?:[a-z0-9-]{1,63}+\.){1,32}" + _TLD
    + r"(?:/" + _PATH_CHARS + r"{0,2048})?"
)
_OPEN = r"[\"“”「『《〈'‘]?"
# A name: a run without spaces/punctuation, or Latin words separated by single spaces.
_NAME = (
    r"(?P<name>(?:[A-Za-z0-9&.'@-]+(?: (?!and\b|said\b|reported\b|on\b|in\b)[A-Za-z0-9&.'@-]+){0,5})"
    r"|[^\s,，。;；:：)）\]】|「」『』《》\"“”]{1,30})"
)
_ZH_MARKERS = (
    r"(?:文章|信息|新闻|消息|内容|稿件|图文|图片)?(?:来源|稿源|出处)(?:于|自)?",
    r"(?:本文|此文|该文)?(?:转载|转引|转)自(?:于)?",
    r"本文(?:来自于?|来源于|源自|原载于|首发于|首发)",
    r"原载(?:于)?",
    r"首发(?:于)?",
)
# The spaces around a marker's colon are possessive: a name or URL never starts with a space or a
# colon, and stars sharing one run of spaces would try every split of it when the name fails
# (quadratic, cubic for 来源 + spaces + ",").
_ZH_EXPLICIT = re.compile(
    r"(?:^|(?<=[\s(\[【|｜/]))(?P<marker>" + "|".join(_ZH_MARKERS) + r")\s*+[:：]?+\s*+(?:微信公众号|公众号)?\s*+"
    + _OPEN + _NAME
)
_EN_EXPLICIT = re.compile(
    r"(?:^|(?<=[\s(\[]))(?P<marker>source|sources|credit|originally (?:published|appeared|posted) (?:by|in|at|on)|"
    r"(?:this (?:article|story|piece) )?(?:first|originally) (?:appeared|published) (?:on|in|at|by)|"
    r"reprinted (?:with permission )?(?:from|by)|republished (?:with permission )?(?:from|by)|(?<![\w ,])courtesy(?: of)?|"
    r"(?<![\w ,])adapted from)\s*+:?+\s*+" + _OPEN + _NAME,
    re.I,
)
_LINK = re.compile(
    r"(?P<marker>原文链接|原文地址|原文网址|阅读原文|查看原文|原文|来源链接|source link|original (?:article|story|link)|"
    r"read the original|link)\s*+[:：]?+\s*+(?P<url>" + _MARKED_URL + ")",
    re.I,
)
_BARE_URL = re.compile(r"(?P<url>" + _URL + ")", re.I)
# "^[^\S\n]*", not "^\s*", in the patterns that open a line: a line holds no line break, and in the
# whole-text search (MULTILINE, see _Present) "^\s*" would run from every line start over all the
# blank lines after it.
_ZH_DATELINE = re.compile(
    r"^[^\S\n]*[(（]?(?P<name>[\u4e00-\u9fffA-Za-z]{2,18}?)\s*(?:\d{4}年)?\d{1,2}月\d{1,2}日\s*(?:电|讯|消息)"
)
# 据 at a line start or after a space or one of "(（，,。" (the look-behind after it says so, a line
# break being a space): with the character first, a search scans for it alone.
_ZH_REPORT = re.compile(r"据(?<![^\s(（，,。]据)(?P<name>[^\s,，。:：]{2,14}?)(?:报道|报导|消息|电)")
_ZH_XUN = re.compile(r"^[^\S\n]*[(（]?(?P<name>[\u4e00-\u9fff]{2,10}?)(?:讯|电|消息)\s*[(（]?")
# "路透北京7月15日 - …": the Chinese service of a wire, a dash after the date
_ZH_DASH_DATELINE = re.compile(
    r"^[^\S\n]*(?P<name>[\u4e00-\u9fffA-Za-z]{2,18}?)[^\S\n]*(?P<date>(?:\d{4}年)?\d{1,2}月\d{1,2}日)[^\S\n]*"
    r"[-–—]{1,2}(?=\s)"
)
# "（中央社記者王小明台北15日電）", "（中央社台北15日綜合外電報導）", "（中央社記者李四華盛頓14日專電）"
_ZH_CNA = re.compile(
    r"^[^\S\n]*[(\[〔【](?P<head>[^()\[\]〔〕【】\n\d]{2,50})\d{1,2}日"
    r"(?:专电|电|综合外电报导|综合外电报道|外电报导|外电报道|综合报导|综合报道)"
)
_EN_AGENCY = re.compile(
    r"\((?P<name>[A-Z][A-Za-z0-9&.' -]{0,40}?|dpa)\)\s*(?:[-–—]{1,2}|:)(?:\s|$|(?=[A-Z]))"
)
_EN_TITLE_AGENCY = re.compile(r"\((?P<name>[A-Z][A-Za-z0-9&.' -]{0,30}?)\)\s*$")
_EN_LEAD_AGENCY = re.compile(r"^[^\S\n]*(?P<name>[A-Z][A-Za-z0-9&.']*(?: [A-Z][A-Za-z0-9&.']*){0,3})\s+[-–—]{1,2}\s+\S")
_EN_BY_PIPE = re.compile(r"^[^\S\n]*by\s+[^|]{1,60}\|\s*(?P<name>[A-Z][\w&.' -]{1,40}?)\s*$", re.I)
_PEOPLE = re.compile(
    r"(?P<role>责任编辑|责编|编辑|审核|审校|校对|终审|初审|复审|编审|监制|主编|作者|记者|通讯员|实习生|摄影|"
    r"edited by|editing by|editor|reporting by|reported by|writing by|written by|reviewed by)\s*+[:：]?+\s*+"
    r"(?P<name>[^\s,，;；:：)）\]】]{1,20}(?: [A-Z][a-z]+)?)",
    re.I,
)
# Wire services and syndicators that credit themselves with a bare name ("AP - …", "(AFP)").
AGENCIES = {
    "ap", "associated press", "afp", "agence france-presse", "agence france presse", "reuters", "upi", "dpa",
    "ansa", "efe", "xinhua", "kyodo", "kyodo news", "yonhap", "tass", "itar-tass", "ria novosti", "pti", "ians",
    "cna", "bernama", "antara", "bloomberg", "canadian press", "the canadian press", "cp", "press association",
    "pa", "aap", "anp", "apa", "belga", "ctk", "mti", "pap", "tt", "ntb", "ritzau", "stt", "kyodonews",
    "newsfactor", "hindustan times", "dow jones", "cnn", "bbc", "mena", "irna", "wafa", "jiji", "jiji press",
    "nhk", "rtt news", "business wire", "pr newswire", "globe newswire", "marketwire", "ani", "unb",
} | {" ".join(name.lower().split()) for name in latin_names()}
_NOT_NAMES = {
    "editing", "reporting", "writing", "updated", "update", "photo", "photos", "video", "file", "ap photo",
    "corrected", "correction", "recasts", "adds", "pdt", "edt", "est", "gmt", "utc", "bst", "cet", "pst", "cst",
    "live", "analysis", "opinion", "exclusive", "breaking", "wrapup", "factbox", "scenario", "poll",
    "l-r", "r-l", "tape", "audio", "watch", "listen",
}
_UPDATE_TAG = re.compile(r"^(?:update|corrected|refile|repeat|rpt|wrapup)\s*\d*$|^\d+$", re.I)


def is_agency(name: str, registry: NameRegistry | None = None) -> bool:
    """A known wire service, a known outlet, or a domain-style outlet name (``SPACE.com``)."""
    key = " ".join(name.lower().split())
    if key in AGENCIES:
        return True
    if registry_resolves(name, registry):
        return True
    return bool(re.fullmatch(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|net|org|co\.uk|cn|com\.cn)", name))


# Claim kinds the JSON report schema (provenance-report/1) allows, and what the later kinds were
# reported as before they had names of their own: a wire's credit of itself, a "dateline".
REPORT_KINDS = ("explicit", "link", "dateline", "meta")
_REPORTED_AS = {"byline": "dateline", "trailer": "dateline", "notice": "dateline", "provider": "explicit"}


@dataclass
class Claim:
    """A statement in the article about where its text comes from.

    ``origin``: the claim states where the text itself comes from (a credit line, a dateline
    opening a paragraph, a byline, a trailer, a wire's notice), not a source cited in the narration.
    """

    text: str
    name: str
    kind: str
    span: tuple[int, int]
    url: str | None = None
    resolved: str | None = None
    line: int | None = None
    origin: bool = True

    @property
    def is_link(self) -> bool:
        return self.url is not None or (domain_of(self.name) is not None and "." in self.name)

    def to_dict(self) -> dict[str, Any]:
        """The claim as the JSON report (provenance-report/1) holds it: ``origin`` is not part of
        that schema, and kinds it does not list are reported as the kind they had before."""
        out: dict[str, Any] = {"text": self.text, "name": self.name, "resolved": self.resolved,
                               "span": list(self.span), "kind": _REPORTED_AS.get(self.kind, self.kind)}
        if self.url:
            out["url"] = self.url
        return out


@dataclass
class Person:
    role: str
    name: str
    span: tuple[int, int]


@dataclass
class Attribution:
    claims: list[Claim] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    original_title: str | None = None
    captions: set[int] = field(default_factory=set)  # photo captions and their credits (line numbers)


def _clean_name(name: str) -> str:
    name = name.strip().strip("\"“”「」『』《》〈〉'‘’.,;:：，。")
    for tail in ("报道", "消息"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            name = name[: -len(tail)]
    return name.strip()


def extract(normalized: Normalized, blocks: list[Block], article: Article | None = None,
            registry: NameRegistry | None = None, publisher: str | None = None) -> Attribution:
    """Claims, people lines and the 原标题 of an article."""
    result = Attribution()
    skip_kinds = {NOTICE, EDITOR}
    # Notice and editor blocks, by start, and the furthest end among those starting so far: a line
    # starts inside one when that end lies beyond it (a scan of every block per line is quadratic
    # in a text of many editor lines).
    skipped = sorted((b.start, b.end) for b in blocks if b.kind in skip_kinds)
    skip_starts = [start for start, _ in skipped]
    skip_reach = list(accumulate((end for _, end in skipped), max))
    # the lines' own kinds as classify_lines found them (editor lines, notices)
    own = line_kinds(normalized.mid)
    lines = own.lines
    seen: set[tuple[int, int]] = set()
    muted: list[tuple[int, int]] = []  # photo credits inside the line being read (line offsets)
    unread: list[str] = []  # that line, until its photo credits are looked for (at its first claim)

    def add(kind: str, line_no: int, line_start: int, start: int, end: int, name: str, url: str | None = None,
            origin: bool = True) -> None:
        if unread:
            muted.extend(_caption_spans(unread.pop(), present))
        if muted and any(start < hi and lo < end for lo, hi in muted):
            return  # "(Photo: Reuters)", "（图片来源：视觉中国）": a credit of a picture, not of the text
        name = _clean_name(name)
        if not name and not url:
            return
        if name.lower() in _NOT_NAMES or _UPDATE_TAG.match(name):
            return
        span = normalized.mid_span(line_start + start, line_start + end)
        if span in seen:
            return
        seen.add(span)
        result.claims.append(Claim(text=normalized.loaded[span[0]:span[1]], name=name or (url or ""),
                                   kind=kind, span=span, url=url, line=line_no, origin=origin))

    present = _Present(normalized.mid)
    titled = present.han and "原标题" in normalized.mid
    filled = [i for i, ln in enumerate(lines) if ln.text.strip()]
    first_body_line = filled[0] if filled else 0
    # A byline without "By" ("JILL COLVIN, Associated Press") is only read at the head of the
    # article: further down, "Name, AP" lines are a picture gallery's credits.
    head_end = filled[min(len(filled), _HEAD_LINES) - 1] if filled else 0
    under_title = set(filled[1:3])
    quiet = _not_credit_lines(lines, present, result.captions)
    _add_captions_above(lines, result.captions)
    # What the text holds anywhere, asked once: a reader none of whose patterns or words occur in
    # the text is not called line by line (each finds nothing there).
    links, zh_explicit, en_explicit = present("link"), present("zh_explicit"), present("en_explicit")
    dated = any(present(name) for name in _DATELINE_PATTERNS)
    reporters = present.han and "记者" in normalized.mid
    piped = present("en_by_pipe")
    trailers = _TrailerWords.of(present)
    trailed = any(trailers)
    noticed = present.mentions(*_NOTICE_WORDS)
    cited = registry is not None and any(present(name) for name in _CITATION_PATTERNS)
    for line_no, line in enumerate(lines):
        text = line.text
        if not text.strip():
            continue
        muted.clear()
        unread.clear()
        inside = False
        if skip_starts:
            lstart, _ = normalized.mid_span(line.start, line.end)
            k = bisect_right(skip_starts, lstart)
            inside = k > 0 and skip_reach[k - 1] > lstart
        editor = own.kinds[line_no] == EDITOR
        boilerplate = inside or own.kinds[line_no] == NOTICE
        if boilerplate or editor:
            # Notice and editor lines credit nothing but a wire: its notice, its byline ("By The
            # Associated Press" is an editor line) or its house trailer ("(Reporting by …)").
            if editor:
                _people(result, normalized, line.start, text)
                _bylines(add, line_no, line.start, text, registry, present, line_no <= head_end)
            elif boilerplate:
                _wire_notices(add, line_no, line.start, text, present)
            _trailers(add, line_no, line.start, text, trailers)
            continue
        if line_no in quiet:
            continue
        if line_no != first_body_line:  # "… coach (Getty Images)" closing a title credits the story
            unread.append(text)
        first_claim = len(result.claims)  # the claims from here on are this line's
        origin = _ORIGINAL_TITLE.search(text) if titled else None
        if origin and not result.original_title:
            result.original_title = origin.group("t").strip("《》\"“” ")
        for m in _LINK.finditer(text) if links else ():
            url = m.group("url")
            add("link", line_no, line.start, m.start(), m.end(), url, url=url)
        for m in _ZH_EXPLICIT.finditer(text) if zh_explicit else ():
            if _SOURCE_WORD.fullmatch(m.group("marker")) and not _labelled(text, m):
                continue  # "资金来源于捐赠": the word 来源 in running text, not a credit label
            _explicit(add, line_no, line.start, text, m)
        for m in _EN_EXPLICIT.finditer(text) if en_explicit else ():
            if m.group("marker").lower() in ("source", "sources", "credit") and not _COLON_EN.match(
                text, m.end("marker")
            ):
                continue  # "source" as an ordinary word, not a credit label
            _explicit(add, line_no, line.start, text, m)
        explicit_here = len(result.claims) > first_claim and any(
            c.kind == "explicit" for c in result.claims[first_claim:])
        if explicit_here:
            for m in _BARE_URL.finditer(text) if present("bare_url") else ():
                add("link", line_no, line.start, m.start(), m.end(), m.group("url"), url=m.group("url"))
        elif (not result.claims or line_no > first_body_line) and len(text.strip()) <= 160:
            for m in _BARE_URL.finditer(text) if present("bare_url") else ():
                # a bare URL/domain only credits in a short line that holds little else; a post or
                # a script of a social network is an embed, not a credit
                rest = _BARE_URL.sub("", text)
                if len(re.sub(r"[\W_]", "", rest)) <= 12 and not _EMBED_URL.search(m.group("url")):
                    add("link", line_no, line.start, m.start(), m.end(), m.group("url"), url=m.group("url"))
        if dated or line_no == first_body_line:
            _datelines(add, line_no, line.start, text, registry, is_title=line_no == first_body_line, present=present)
        # a byline opens with "By", names a wire after a bar, holds 记者, or sits at the head
        head = line_no <= head_end
        if head or piped or (reporters and "记者" in text) or _BY.match(text):
            _bylines(add, line_no, line.start, text, registry, present, head)
        if head and "•" in text:
            _provider(add, line_no, line.start, text)
        if trailed:
            _trailers(add, line_no, line.start, text, trailers)
        if noticed:
            _wire_notices(add, line_no, line.start, text, present)
        if cited:
            _citations(add, line_no, line.start, text, registry, present)
        if line_no in under_title and len(result.claims) == first_claim:
            _outlet_line(add, line_no, line.start, text, registry)
    if article is not None:
        _html_claims(result, article, registry, publisher)
    return result


# A colon after a marker (matched right after its last letter). The look-behind keeps a search
# from starting again at every space of a run.
_COLON_EN = re.compile(r"(?<!\s)\s*:")
_COLON_ZH = re.compile(r"(?<!\s)\s*[:：]")
_SOURCE_WORD = re.compile(r"(?:文章|信息|新闻|消息|内容|稿件|图文|图片)?(?:来源|稿源|出处)(?:于|自)?")


def _labelled(text: str, m: re.Match[str]) -> bool:
    """A 来源-type marker used as a label: followed by a colon, or opening a line or a bracket."""
    # Read around the marker in place: a copy of the rest of the line for each marker is
    # quadratic in a line of many.
    if _COLON_ZH.match(text, m.end("marker")):
        return True
    start = m.start("marker")
    while start and text[start - 1] in " \t":
        start -= 1
    return start == 0 or text[start - 1] in "(（[【|｜"


_URL_AT = re.compile(_MARKED_URL, re.I)


def _explicit(add: Any, line_no: int, line_start: int, text: str, m: re.Match[str]) -> None:
    """An explicit credit; a URL right after the marker makes it a link claim."""
    url_match = _URL_AT.match(text, m.start("name"))
    if url_match:
        url = url_match.group(0)
        add("link", line_no, line_start, m.start("marker"), url_match.end(), url, url)
        return
    name = m.group("name")
    url = name if domain_of(name) and "." in name else None
    add("link" if url else "explicit", line_no, line_start, m.start("marker"), m.end("name"), name, url)


# The title runs to the line's last non-space, as ".+?\s*$" would find it, without trying "\s*$"
# at every character (quadratic over a run of spaces); "\s" alone is the title of a blank one.
_ORIGINAL_TITLE = re.compile(r"原标题\s*[:：]\s*(?P<t>\S(?:.*\S)?|\s)\s*$")
_OUTLET_END = re.compile(r"^.{1,10}?(?:通讯社|新闻社|电视台|广播电台|日报|晚报|早报|时报|商报|新闻网|网|社|报|台)")


class _Present:
    """Which credit patterns match anywhere in a text, searched once per text on first use.

    The per-text search runs each pattern in MULTILINE mode over the whole text, so ``^``/``$``
    hold at every line and a look-behind at a line start sees the line break: any match inside a
    line is also a match there. A pattern absent from the text is not tried line by line.

    Before a search, the literals the pattern cannot match without are looked for (``_NEEDS``): the
    Han ones only in a text holding a Han character, the ASCII ones of a Chinese text in its ASCII
    characters alone (a small part of it; a literal found there across characters that were apart
    only lets the search run). ``mentions`` and ``holds`` look for words the same way.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._lower: str | None = None
        self._han: bool | None = None
        self._ascii: dict[bool, str] = {}
        self._found: dict[str, bool] = {}
        self._mentions: dict[tuple[str, ...], bool] = {}

    @property
    def han(self) -> bool:
        """Whether the text holds a Han character."""
        if self._han is None:
            self._han = not self._text.isascii() and _HAN.search(self._text) is not None
        return self._han

    @property
    def lower(self) -> str | None:
        """The lower-cased text, or None where lower-casing is not the same as IGNORECASE."""
        if self._lower is None:  # (an ASCII text holds no character that folds to an ASCII letter)
            self._lower = "" if not self._text.isascii() and FOLDS_TO_ASCII.search(self._text) else self._text.lower()
        return self._lower or None

    def _holds(self, needs: tuple[tuple[str, ...], ...], caseless: bool) -> bool:
        """Whether the text (lower-cased when ``caseless``) holds a literal of every group of
        ``needs``; True when unsure (lower-casing is not IGNORECASE there)."""
        text = self.lower if caseless else self._text
        if text is None:
            return True
        if not self.han:
            return _has_literals(text, text, needs)
        ascii_part = self._ascii.get(caseless)
        if ascii_part is None:
            ascii_part = self._ascii[caseless] = text.encode("ascii", "ignore").decode("ascii")
        return _has_literals(text, ascii_part, needs)

    def mentions(self, *words: str) -> bool:
        """Whether the text holds one of ``words`` (lower case) in any case; True when unsure."""
        found = self._mentions.get(words)
        if found is None:
            found = self._mentions[words] = self._holds((words if self.han else _no_han(words),), True)
        return found

    def holds(self, *words: str) -> bool:
        """Whether the text holds one of ``words`` as written."""
        return self._holds((words if self.han else _no_han(words),), False)

    def __call__(self, name: str) -> bool:
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = self._search(name)
        return found

    def _search(self, name: str) -> bool:
        needs = (_NEEDS if self.han else _NEEDS_NO_HAN).get(name)
        if needs is not None and not self._holds(needs, name in _CASELESS):
            return False
        lowered = _LOWER_TEXT.get(name)
        if lowered is not None and self.lower is not None:
            return lowered.search(self.lower) is not None
        lowered_starts = _LOWER_STARTS.get(name)
        if lowered_starts is not None and self.lower is not None:
            text = self.lower
            whole, after = lowered_starts
        else:
            text, whole, after = self._text, _WHOLE_TEXT[name], _STARTS.get(name)
        if after is not None:  # a match at the text's start, or after a character that lets one start
            return whole.match(text) is not None or after.search(text) is not None
        return whole.search(text) is not None


_HAN = re.compile("[\u4e00-\u9fff]")


@cache
def _no_han(words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` without those holding a Han character."""
    return tuple(word for word in words if not _HAN.search(word))


def _has_literals(text: str, ascii_part: str, needs: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``text`` holds a literal of every group of ``needs``, an ASCII literal being looked
    for in ``ascii_part`` (loops: generators cost more than the tests)."""
    for group in needs:
        for literal in group:
            if literal in (ascii_part if literal.isascii() else text):
                break
        else:
            return False
    return True


def _known_start(prefix: str, registry: NameRegistry | None) -> str | None:
    """The longest start of a Chinese run that is a known outlet ("新华社北京" → "新华社")."""
    return next((prefix[:cut] for cut in range(len(prefix), 1, -1) if registry_resolves(prefix[:cut], registry)), None)


def _place_before(text: str) -> bool:
    """Only a dateline's place and date before an agency in brackets ("WASHINGTON, July 15",
    "HELSINKI, Finland"), after whatever a scraped page glued in front ("By Jeff Mason. ABOARD AIR
    FORCE ONE", "Share this article: WASHINGTON"); not narration ("…, officials said (Reuters) -")."""
    text = _CLAUSE_BREAK.split(text)[-1]
    return all(word[:1].isupper() or word[:1].isdigit() or word.lower() in _PLACE_SMALL
               for word in text.replace(",", " ").split())


_CLAUSE_BREAK = re.compile(r"[.:|•][^\S\n]")
_PLACE_SMALL = frozenset({"by", "of", "de", "la", "le", "el", "al", "du", "da", "di", "del", "van", "von", "and", "-",
                          "—", "–", "|"})


# The patterns _datelines tries on every line (the title's own is tried on the title alone).
_DATELINE_PATTERNS = ("zh_dateline", "zh_dash_dateline", "zh_cna", "zh_xun", "en_agency", "en_lead_agency")


def _datelines(add: Any, line_no: int, line_start: int, text: str, registry: NameRegistry | None,
               is_title: bool = False, present: _Present | None = None) -> None:
    present = present or _Present(text)
    m = _ZH_DATELINE.match(text) if present("zh_dateline") else None
    if m:
        # "新华社北京" is outlet + place: the longest prefix that is a known outlet, else the
        # shortest prefix ending like an outlet name (…社, …网, …报, …台).
        prefix = m.group("name")
        name = _known_start(prefix, registry)
        if name is None:
            ending = _OUTLET_END.match(prefix)
            name = ending.group(0) if ending else prefix
        add("dateline", line_no, line_start, m.start("name"), m.end(), name)
    else:
        m = _ZH_DASH_DATELINE.match(text) if present("zh_dash_dateline") else None
        name = _known_start(m.group("name"), registry) if m else None
        if m and name:  # "路透北京7月15日 - …"
            add("dateline", line_no, line_start, m.start("name"), m.end("date"), name)
        m = _ZH_CNA.match(text) if present("zh_cna") else None
        if m:  # "（中央社記者王小明台北15日電）", "（中央社台北15日綜合外電報導）"
            head = m.group("head").split("记者")[0]
            name = _known_start(head, registry)
            if name:
                add("dateline", line_no, line_start, m.start("head"), m.end(), name)
        m = _ZH_XUN.match(text) if present("zh_xun") else None
        if m and not m.group("name").startswith(("本报", "本台", "本网", "本刊")):
            name = m.group("name")
            if registry_resolves(name, registry):
                add("dateline", line_no, line_start, m.start("name"), m.end(), name)
    for m in _EN_AGENCY.finditer(text) if present("en_agency") else ():
        if m.start() > 120:
            break
        add("dateline", line_no, line_start, m.start(), m.end(), m.group("name"),
            origin=_place_before(text[:m.start()]))
    m = _EN_LEAD_AGENCY.match(text) if present("en_lead_agency") else None
    if m and is_agency(m.group("name"), registry):
        add("dateline", line_no, line_start, m.start("name"), m.end("name"), m.group("name"))
    m = _EN_TITLE_AGENCY.search(text) if is_title and len(text) <= 200 and present("en_title_agency") else None
    if m and not _EN_AGENCY.search(text):
        add("dateline", line_no, line_start, m.start("name"), m.end("name"), m.group("name"))


# -- bylines -------------------------------------------------------------------------------------

_ZH_BYLINE = re.compile(
    r"^[^\S\n]*[(\[【]?(?:文[/|:：][^\S\n]*)?(?P<name>[\u4e00-\u9fff]{2,8}?)记者[^\S\n]*"
    r"(?P<people>[\u4e00-\u9fff·]{2,5}(?:[^\S\n]*[、,，][^\S\n]*[\u4e00-\u9fff·]{2,5}|[^\S\n]+[\u4e00-\u9fff·]{2,5}){0,5})"
    r"[^\S\n]*[)\]】]?[^\S\n]*$"
)
_BY = re.compile(r"^[^\S\n]*[Bb][Yy][^\S\n]+")
_HEAD_LINES = 8
_WORD = re.compile(r"[^\s,|]+")
_BYLINE_TAIL = re.compile(r"[,|]|\s[-–—]\s")  # "Name, Associated Press", "Name | Reuters", "Name - AFP"
_CONNECTORS = frozenset({"and", "&", "de", "van", "von", "der", "den", "da", "del", "della", "di", "du", "la", "le",
                         "bin", "al", "jr", "jr.", "sr.", "-", "—", "–"})
_TITLE_WORDS = frozenset({"staff", "wire", "wires", "news", "newsroom", "writer", "writers", "reporter", "reporters",
                          "correspondent", "correspondents", "editor", "editors", "report", "service", "services",
                          "journalist", "journalists", "contributor"})


def _name_word(word: str) -> bool:
    """A word of a personal name: capitalised without digits, or a connector."""
    return (word[:1].isupper() and not any(map(str.isdigit, word))) or word.lower() in _CONNECTORS


def _people_like(text: str) -> bool:
    """Personal names joined by commas and "and": every word capitalised (or a connector), 1 to 16 words."""
    count = 0
    for match in _WORD.finditer(text):  # most lines fail at their first words
        count += 1
        if count > 16 or not _name_word(match.group()):
            return False
    return count > 0


def _agency_start(text: str, registry: NameRegistry | None) -> str | None:
    """The longest run of words opening ``text`` that names an agency or known outlet, when the
    words after it are only a job title ("AP National Security Writer", "Reuters Staff")."""
    words = list(_WORD.finditer(text))
    if not words or len(words) > 8 or not words[0].group(0)[:1].isupper():
        return None
    for k in range(min(len(words), 5), 0, -1):
        name = text[: words[k - 1].end()]
        rest = [w.group(0) for w in words[k:]]
        if rest and not (rest[-1].lower().rstrip(".") in _TITLE_WORDS
                         and all(w[:1].isupper() or w.lower() in _TITLE_WORDS for w in rest)):
            continue
        if is_agency(name, registry):
            return name
    return None


# An aggregator's provider line under the headline: "CBS News•", "Reuters UK • July 15, 2018",
# "Milwaukee Journal Sentinel•". The name is at most six words; after the bullet only a date or a
# time ago may follow.
_PROVIDER = re.compile(r"^[^\S\n]*+(?P<name>[^\W_][^•\n]{0,58}?)[^\S\n]*•[^\S\n]*+(?P<rest>[^\n]{0,40}+)$")
_PROVIDER_REST = re.compile(
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4}|\d{4}-\d\d-\d\d"
    r"|\d{1,3} ?(?:s|m|h|d|w|mo|y|sec|min|mins|minutes?|hours?|hrs?|days?|weeks?|months?|years?) ago|yesterday|today)?+"
    r"[^\S\n]*+",
    re.I,
)


def _provider(add: Any, line_no: int, line_start: int, text: str) -> None:
    """An aggregator's provider line at the head of a page (the outlet whose story it carries)."""
    if len(text) > 120:
        return
    m = _PROVIDER.match(text)
    if not m or not _PROVIDER_REST.fullmatch(m.group("rest")):
        return
    name = m.group("name").strip()
    words = name.split()
    if len(words) > 6 or name.endswith((".", ",", ":", ";")) or not any(ch.isalpha() for ch in name):
        return
    add("provider", line_no, line_start, m.start("name"), m.start("name") + len(name), name,
        url=name if domain_of(name) and "." in name else None)


def _outlet_line(add: Any, line_no: int, line_start: int, text: str, registry: NameRegistry | None) -> None:
    """A line under the title that is only a known outlet's name ("Associated Press", "新华社"):
    the page's byline, crediting the story to that outlet."""
    stripped = text.strip()
    if (len(stripped) > 40 or len(stripped.split()) > 5 or stripped[-1:] in ".,:;!?。，：；！？"
            or not (stripped[:1].isupper() or "\u4e00" <= stripped[:1] <= "\u9fff")):
        return
    if is_agency(stripped, registry):
        lo = len(text) - len(text.lstrip())
        add("byline", line_no, line_start, lo, lo + len(stripped), stripped)


def _bylines(add: Any, line_no: int, line_start: int, text: str, registry: NameRegistry | None,
             present: _Present, head: bool = True) -> None:
    """Bylines that credit a wire or a known outlet: the whole line is the claim."""
    stripped = text.strip()
    if len(stripped) > 150:
        return
    lo = len(text) - len(text.lstrip())
    hi = lo + len(stripped)
    if "记者" in stripped:
        m = _ZH_BYLINE.match(text)
        if m and not stripped.rstrip(")]】 ").endswith("摄") and not m.group("name").startswith(
                ("本报", "本台", "本网", "本刊")) and registry_resolves(m.group("name"), registry):
            add("byline", line_no, line_start, lo, hi, m.group("name"))
        return
    m = _EN_BY_PIPE.match(text) if present("en_by_pipe") else None
    if m and m.group("name")[:1].isupper():
        add("byline", line_no, line_start, lo, hi, m.group("name"))
        return
    by = _BY.match(text)
    rest_at = by.end() if by else lo
    if not by and not (head and _BYLINE_TAIL.search(stripped)):
        return
    # "By The Associated Press", "By JILL COLVIN Associated Press", "By ROBERT BURNS AP National
    # Security Writer", "JONATHAN LEMIRE and JILL COLVIN, Associated Press": personal names, then
    # the agency (after a comma, a bar or a dash when there is no "By")
    previous = ""
    for k, word in enumerate(_WORD.finditer(text, rest_at, hi)):  # most lines end at their first words
        before, previous = previous, word.group(0)
        if k:
            if k > 16 or not _name_word(before):
                return
        elif not by:
            continue
        if not by and not text[rest_at:word.start()].rstrip().endswith((",", "|", " -", " –", " —")):
            continue
        tail = text[word.start():hi].split(" | ")[0].split(" • ")[0]  # "…, AP Diplomatic Writer | on July 15"
        if tail[:4].lower() == "the ":
            tail = tail[4:]
        name = _agency_start(tail, registry)
        if name:
            add("byline", line_no, line_start, lo, hi, name)
            return


# -- trailers ------------------------------------------------------------------------------------

# Reuters closes a story with its reporters and editors in one line: "(Reporting by X in
# Helsinki; Additional reporting by Y; Writing by Z; Editing by W)". Two of those roles make the
# line a Reuters trailer; "(Editing by X; reviewed by Y)" is some other desk's line.
_REUTERS_TRAILER = re.compile(r"^[^\S\n]*+[(\[]?+[^\S\n]*+(?:additional )?(?:reporting|writing) by\b", re.I)
_REUTERS_ROLE = re.compile(
    r"[;,][^\S\n]*(?:and )?(?:additional reporting|reporting|writing|editing|compiled|graphics|production) by\b", re.I
)
# A closing "Reuter" alone on its line, spaces around it ("^[^\S\n]*(?:Reuter|REUTER)[^\S\n]*$" on a line,
# which holds no line break): the line stripped, looked up instead of searched.
_REUTER_SIGNOFFS = frozenset({"Reuter", "REUTER"})
_CONTRIBUTED = re.compile(
    r"contributed (?:to this (?:report|story|article)|reporting)|(?:was|were) used in this (?:report|story|article)"
    r"|(?:includes?|contains?) (?:material|reporting|information) from",
    re.I,
)
_WIRE_IN_TEXT = re.compile(
    r"(?<![\w-])(?P<name>" + "|".join(re.escape(n) for n in sorted(latin_names(), key=len, reverse=True)) + r")(?![\w-])"
)
# "Fox News' Gregg Re", "The Washington Post's Anne Gearan" opening a contributor sentence
_CONTRIBUTOR_OUTLET = re.compile(r"(?<![\w&.-])(?P<name>(?:The )?[A-Z][\w&.-]*+(?: [A-Z][\w&.-]*+){0,4}?)['’]s?[^\S\n]")
_SENTENCE_START = re.compile(r"[.!?][\"'”’)]?\s+(?=[\"'“‘(]?[A-Z])")


class _TrailerWords(NamedTuple):
    """Which kinds of trailer a text can hold, by the words each cannot be without."""

    reuters: bool
    signoff: bool
    contributions: bool

    @classmethod
    def of(cls, present: _Present) -> _TrailerWords:
        return cls(present.mentions("reporting by", "writing by"), present.mentions("reuter"),
                   present.mentions("contributed", "used in this", "material from", "reporting from",
                                    "information from"))


def _trailers(add: Any, line_no: int, line_start: int, text: str, words: _TrailerWords) -> None:
    if words.reuters and _REUTERS_TRAILER.match(text) and _REUTERS_ROLE.search(text):
        name: str | None = "Reuters"
    elif words.signoff and text.strip() in _REUTER_SIGNOFFS:
        name = text.strip()
    elif words.contributions:
        name = None
    else:
        return
    lo = len(text) - len(text.lstrip())
    hi = len(text.rstrip())
    if name is not None:
        add("trailer", line_no, line_start, lo, hi, name)
        return
    for m in _CONTRIBUTED.finditer(text):
        # the sentence that holds the words: from the last sentence end before them to the next
        start = lo
        for end_mark in _SENTENCE_START.finditer(text, lo, m.start()):
            start = end_mark.end()
        stop = text.find(".", m.end())
        stop = hi if stop < 0 else stop + 1
        # A contribution credits each outlet named for part of the article ("Fox News' Gregg Re
        # and The Associated Press contributed to this report"), not as the origin of all of it.
        # The first claim spans the sentence (its credit line); others span their names.
        named: list[tuple[int, int, str]] = []
        lead = start + len(text[start:m.start()]) - len(text[start:m.start()].lstrip())
        outlet = _CONTRIBUTOR_OUTLET.match(text, lead, m.start())
        if outlet and not _WIRE_IN_TEXT.fullmatch(outlet.group("name")):
            named.append((outlet.start("name"), outlet.end("name"), outlet.group("name")))
        named.extend((w.start(), w.end(), w.group("name")) for w in _WIRE_IN_TEXT.finditer(text, start, m.start()))
        for k, (lo_name, hi_name, name) in enumerate(named):
            if k == 0:
                add("trailer", line_no, line_start, start, stop, name, origin=False)
            else:
                add("trailer", line_no, line_start, lo_name, hi_name, name, origin=False)


_NOTICE_WORDS = ("©", "(c)", "copyright", "版权")


def _wire_notices(add: Any, line_no: int, line_start: int, text: str, present: _Present) -> None:
    """A wire's own copyright notice ("© 2018 The Associated Press. All rights reserved…")."""
    if not present.mentions(*_NOTICE_WORDS):
        return
    for owner in notice_owners(text):
        add("notice", line_no, line_start, owner.start, owner.end, owner.name)


# -- citations in the narration --------------------------------------------------------------------

_ZH_CITE = re.compile(
    r"(?:^|(?<=[\s,，。；;:：]))(?P<name>[\u4e00-\u9fff]{2,8}?)(?:\d{1,2}日|今天|昨天|当天|日前|近日)?"
    r"(?:报道|报导)(?:称|说|指出)?[,，:：]"
)
# The look-behinds follow the first letter (and test the character before it): with a letter
# first, a search scans for the letter alone.
_EN_ACCORDING = re.compile(r"[Aa](?<![\w-][Aa])ccording to (?:the )?(?P<name>[A-Z][\w&.'-]*+(?: [A-Z][\w&.'-]*+){0,3})")
_EN_REPORTED = re.compile(
    r"(?P<name>[A-Z](?<![\w&.'-][A-Z])[\w&.'-]*+(?: [A-Z][\w&.'-]*+){0,3}) (?:news agency |newswire |wire service )?"
    r"(?:reported|reports|said in a report)\b"
)


_CITATION_PATTERNS = ("zh_report", "zh_cite", "en_according", "en_reported")


def _citations(add: Any, line_no: int, line_start: int, text: str, registry: NameRegistry | None,
               present: _Present) -> None:
    """Sources cited in the narration (据新华社报道, "Reuters reported", "according to AP"): claims
    whose ``origin`` is False.

    Only sources the registry knows are read (the wires, once registered there): a citation of an
    unknown name serves no judgement, and "X reported" names far more than sources.
    """
    if registry is None:
        return
    for m in _ZH_REPORT.finditer(text) if present("zh_report") else ():
        name = next((m.group("name")[:cut] for cut in range(len(m.group("name")), 1, -1)
                     if registry.resolve(m.group("name")[:cut])), None)  # 据路透社15日报道 → 路透社
        if name:
            add("dateline", line_no, line_start, m.start(), m.end(), name, origin=False)
    for m in _ZH_CITE.finditer(text) if present("zh_cite") else ():
        if registry.resolve(m.group("name")):
            add("dateline", line_no, line_start, m.start("name"), m.end() - 1, m.group("name"), origin=False)
    for m in _EN_ACCORDING.finditer(text) if present("en_according") else ():
        name = _known_words(m.group("name"), registry, first=True)
        if name:
            add("dateline", line_no, line_start, m.start(), m.start("name") + len(name), name, origin=False)
    for m in _EN_REPORTED.finditer(text) if present("en_reported") else ():
        # "Monday The Associated Press reported": the source is the last words before the verb
        name = _known_words(m.group("name"), registry, first=False)
        if name:
            add("dateline", line_no, line_start, m.end("name") - len(name), m.end(), name, origin=False)


def _known_words(text: str, registry: NameRegistry, first: bool) -> str | None:
    """The longest run of whole words at the start (``first``) or at the end of ``text`` that the
    registry knows ("according to Reuters Breakingviews", "Monday The Associated Press reported")."""
    words = list(_WORD.finditer(text))
    for k in (range(len(words), 0, -1) if first else range(len(words))):
        candidate = text[: words[k - 1].end()] if first else text[words[k].start():]
        if registry.resolve(candidate):
            return candidate
    return None


# -- lines and spans that are not credits of the text ------------------------------------------------

# Photo, graphic and video credits opening a line: "AP Photo/…", "Photo: Reuters", "(Photo by X /
# AFP)", "Photo credit should read …", "Image: Bloomberg", "Video: AFP".
_CAPTION_EN = re.compile(
    r"^[^\S\n]*[(\[]?(?:[A-Za-z][\w.-]{0,20} )?(?:photo(?:graph)?s?|pictures?|images?|graphics?|illustrations?|"
    r"videos?|footage|cartoons?|photo illustration)(?: (?:credit|courtesy|source)s?(?: should read)?)?"
    r"[^\S\n]*(?:[:/|]|by\b|courtesy\b|via\b|credit\b|source\b)",
    re.I,
)
# 图片来源：…, 图/新华社, 图：…, 图源：…, 图为…, 视频来源：…, 资料图 (never 图文: text and pictures)
_CAPTION_ZH = re.compile(
    r"^[^\S\n]*+[(\[【]?+[^\S\n]*+(?:(?:图片|照片|配图|题图|头图|封面图|图像|图表|视频|资料图|资料照片?|截图|制图)"
    r"[^\S\n]*(?:来源|来自|源自|提供|由|为|[:：/／|丨])|图[^\S\n]*(?:来源|来自|源|为|[:：/／|丨]|\d|[①-⑩])|"
    r"(?:上|下|左|右|组|题|首)图[^\S\n]*(?:为|[:：]))"
)
_CAPTION_END_ZH = re.compile(r"(?:摄|资料图|资料照片?|图片来自网络|图片来源网络)[^\S\n]*+[)\]】]?+[^\S\n]*+$")
_CREDIT_AFTER_CAPTION = re.compile(r"^[^\S\n]*+(?:photo |image )?credits?[^\S\n]*+:", re.I)
# A caption's own wording: "FILE - In this file photo…", "(AP Photo/…)"; and wording that only
# reads like a caption: "Trump, right, and…", "…in Helsinki, Monday, July 16, 2018."
_CAPTION_HINT = re.compile(r"^[^\S\n]*FILE[^\S\n]*[-–—]|\((?:AP|AFP|Reuters|AAP|EPA) Photo\b")
_CAPTION_LIKE = re.compile(
    r"\bIn this (?:\w+ )?(?:file )?(?:photo|image|picture)|, (?:left|right|center|centre|second (?:left|right)|"
    r"far (?:left|right)|top|bottom|front|background|foreground)(?:,| and\b)|(?:mon|tues|wednes|thurs|fri|satur|sun)day,? "
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,? \d{1,2}, \d{4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,? \d{1,2}, \d{4}\.?[^\S\n]*$",
    re.I,
)
# Picture agencies: a short line naming one is a photo credit ("Name | TASS | Getty Images").
_PHOTO_AGENCIES = ("getty images", "shutterstock", "istock", "alamy", "epa-efe", "pool photo", "视觉中国", "东方ic", "图虫")
_PHOTO_AGENCY = re.compile("|".join(re.escape(name) for name in _PHOTO_AGENCIES), re.I)
# A picture gallery's buttons and counters, between a caption and its credit.
_GALLERY = re.compile(
    r"^[^\S\n]*(?:fullscreen|full screen|none|close|expand|enlarge|(?:hide|show|toggle) caption|caption|"
    r"\d{1,3} of \d{1,3}|\d{1,3}/\d{1,3}|view (?:gallery|slideshow)|\d{1,3} (?:photos|images))[^\S\n]*$",
    re.I,
)
# Widgets and ad units: "Provided by …", weather boxes, market data, "Sponsored", "Powered by".
_WIDGET = re.compile(
    r"^[^\S\n]*[(\[]?(?:provided by|sponsored(?: by| content| links?| posts?| stories)?|powered by|presented by|"
    r"brought to you by|paid (?:content|post|partner|for by)|promoted(?: by| content| stories)?|advertisement|"
    r"advertising|ad by|partner content|content by|from our partners|(?:market )?data (?:provided )?by|"
    r"quotes? (?:delayed|by|provided)|weather (?:provided )?by|(?:广告|推广|赞助|商业推广|合作伙伴)(?:[^\S\n]|[:：]|$))",
    re.I,
)
_WIDGET_ANYWHERE = re.compile(r"accuweather|weather\.com\b|quick look\b|天气预报由|行情数据由", re.I)
# Related-article lists: the header line, and the titles listed after a header that stands alone.
_RELATED = re.compile(
    r"^[^\S\n]*+[•·*>【\[]?+[^\S\n]*+(?:related(?: (?:stories|story|articles?|content|coverage|links?|videos?|news|"
    r"reading|topics))?|read (?:more|next|also)|more from [\w .'&-]{1,30}?|more on this(?: story)?|see also|"
    r"also (?:read|see)|recommended(?: for you| reading)?|further reading|most (?:read|popular|viewed)|"
    r"trending(?: now)?|you (?:may|might) also like|don't miss|more stories|"
    r"相关阅读|相关新闻|相关报道|相关文章|相关链接|相关专题|延伸阅读|推荐阅读|扩展阅读|拓展阅读|更多阅读|热点推荐|"
    r"热门推荐|精彩推荐|猜你喜欢|往期回顾|往期推荐|点击阅读|阅读更多|更多精彩)[^\S\n]*+(?P<rest>.*)$",
    re.I,
)
# One match per line for the three: a line the first matches is not tried with the others (a
# gallery's button is read as chrome whatever else it is; a widget before a related-articles header).
_GALLERY_WIDGET_RELATED = re.compile(
    "(?P<gallery>" + _GALLERY.pattern + ")|(?P<widget>" + _WIDGET.pattern + ")|(?P<related>" + _RELATED.pattern + ")",
    re.I,
)
_LIST_STOP = re.compile(r"来源|稿源|source|原文|编辑|editor|记者|reporting|©|copyright|版权", re.I)
# Social-media embeds: a tweet's signature line, its picture link, an Instagram or Facebook frame.
_EMBED = re.compile(
    r"\(@\w{1,15}\)[^\S\n]*(?:on[^\S\n]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[^\S\n]+\d"
    r"|pic\.twitter\.com/|view this post on instagram|a post shared by|twitter\.com/\w{1,15}/status"
    r"|instagram\.com/p/|platform\.twitter\.com|facebook\.com/[\w.]{1,50}/(?:posts|videos)/",
    re.I,
)
_EMBED_URL = re.compile(
    r"^(?:https?://)?(?:[\w-]+\.)*?(?:twitter\.com|t\.co|x\.com|instagram\.com|facebook\.com|fb\.com|youtube\.com|"
    r"youtu\.be|tiktok\.com)(?:/|$)|\.js(?:\?|$)",
    re.I,
)
_PARENTHESIS = re.compile(r"[(\[][^()\[\]\n]{1,200}[)\]]")
_PHOTO_WORDS = re.compile(
    r"\b(?:photos?|photograph|images?|pictures?|graphics?|illustrations?|videos?|footage|cartoons?)\b|\bvia (?:AP|AFP|"
    r"Reuters|Getty)|/[^\S\n]*(?:AP|AFP|Reuters|REUTERS|Getty|EPA|Bloomberg|Xinhua|Associated Press|Lehtikuva|"
    r"Sputnik|Pool)\b|^[^\S\n]*(?:AP|AFP|REUTERS|Reuters)[^\S\n]*/|摄|图片|图源|图[/／:：]|资料图|资料照|视频|配图|照片|截图",
    re.I,
)
# "REUTERS/Kevin Lamarque", "AFP/Getty Images", "Evan Vucci/Associated Press" after a caption
_SLASH_CREDIT = re.compile(
    r"(?<![\w/.'-])[A-Z]{2,}(?:/[A-Z][\w.'-]*+(?: [A-Z][\w.'-]*+){0,3}){1,3}"
    r"|(?<![\w/.'-])[A-Z][\w.'-]*+(?: [A-Z][\w.'-]*+){0,3}/(?:The )?(?:Associated Press|AP|Reuters|AFP|Getty Images|"
    r"Bloomberg|EPA|Xinhua)\b"
)


# What each alternative of _EMBED cannot be without (lower case)
_EMBED_WORDS = ("(@", "twitter.com", "post on instagram", "post shared by", "instagram.com/p/", "facebook.com/")


def _caption_spans(text: str, present: _Present) -> list[tuple[int, int]]:
    """Photo credits inside a line: "(AP Photo/…)", "(Photo: X, AP)", "（图片来源：视觉中国）", "（新华社记者 X 摄）",
    "REUTERS/Kevin Lamarque"."""
    spans = []
    if "(" in text or "[" in text:
        spans = [m.span() for m in _PARENTHESIS.finditer(text) if _PHOTO_WORDS.search(m.group(0))]
    if "/" in text:
        spans.extend(m.span() for m in _SLASH_CREDIT.finditer(text))
    return spans


class _CaptionWords(NamedTuple):
    """Which caption wordings a text holds anywhere (the patterns that need them are not tried
    line by line in a text without them)."""

    agencies: bool  # _PHOTO_AGENCY
    hints: bool  # _CAPTION_HINT
    pictures: bool  # _CAPTION_EN, _CAPTION_ZH
    zh_ends: bool  # _CAPTION_END_ZH

    @classmethod
    def of(cls, present: _Present) -> _CaptionWords:
        return cls(present.mentions(*_PHOTO_AGENCIES), present.holds("FILE", " Photo"),
                   present.mentions("photo", "picture", "image", "graphic", "illustration", "video", "footage",
                                    "cartoon", "图", "照", "视频"),
                   present.mentions("摄", "资料", "图片"))


def _is_caption(text: str, words: _CaptionWords) -> bool:
    """A photo caption or photo credit line."""
    if len(text) > 1000:
        return False
    if len(text) <= 120 and words.agencies and _PHOTO_AGENCY.search(text):
        return True
    if words.hints and _CAPTION_HINT.search(text):
        return True
    if len(text) <= 400 and ((words.pictures and (_CAPTION_EN.match(text) or _CAPTION_ZH.match(text))) or (
            words.zh_ends and _CAPTION_END_ZH.search(text))):
        return True
    stripped = text.rstrip()
    if stripped.endswith((")", "]")):
        last = list(_PARENTHESIS.finditer(stripped))
        if last and last[-1].end() == len(stripped) and _PHOTO_WORDS.search(last[-1].group(0)):
            return True  # a caption closing with its photo credit
    if "/" in stripped[-80:]:
        tail = _SLASH_CREDIT.search(stripped[-80:])
        return bool(tail and tail.end() == len(stripped[-80:]))
    return False


def _is_photo_credit(text: str) -> bool:
    """A line that is only a photo credit: "(AP Photo/Evan Vucci)", "Photo: Reuters", "REUTERS/X"."""
    stripped = text.strip()
    if not stripped or len(stripped) > 80:
        return False
    if _PARENTHESIS.fullmatch(stripped) and _PHOTO_WORDS.search(stripped):
        return True
    if _CAPTION_EN.match(stripped) or _CAPTION_ZH.match(stripped):
        return True
    slash = _SLASH_CREDIT.search(stripped)
    return bool(slash and slash.start() <= 1 and slash.end() == len(stripped))


def _credit_like(text: str, credits: bool = True) -> bool:
    """A short line that could be a photographer's credit: "Credit: X", "Name, AP", "Name | Reuters".
    ``credits``: False when the text holds no "credit" (in any case)."""
    stripped = text.strip()
    if len(stripped) > 80:
        return False
    if credits and _CREDIT_AFTER_CAPTION.match(text):
        return True
    # a comma or bar first, then a dash (the search for _BYLINE_TAIL tries every character, and
    # without a comma or bar only a dash between spaces is left for it to find)
    if not ("," in stripped or "|" in stripped or (("-" in stripped or "–" in stripped or "—" in stripped)
                                                   and _BYLINE_TAIL.search(stripped))) or _BY.match(text):
        return False
    # Taking the separators out drops no word but dashes standing alone, which are connectors: a
    # word that is no name word stays, and fails the names (most lines end here, at no cost).
    for word in _WORD.finditer(stripped):
        if not _name_word(word.group()):
            return False
    return _people_like(_BYLINE_TAIL.sub(" ", stripped))


def caption_lines(normalized: Normalized) -> set[int]:
    """Numbers of the lines that are photo captions or their credits ("… Sunday, July 15, 2018.",
    "(AP Photo/Pablo Martinez Monsivais)"): text that goes with a picture, reused with the picture
    (an agency's photo and its caption), so never evidence of copying the article's text."""
    if not normalized.mid.strip():
        return set()
    captions: set[int] = set()
    lines = split_lines(normalized)
    _not_credit_lines(lines, _Present(normalized.mid), captions)
    _add_captions_above(lines, captions)
    return captions


def _add_captions_above(lines: list[Line], captions: set[int]) -> None:
    """Add to ``captions`` the lines that a photo credit alone on its line closes."""
    if not captions:
        return
    # A credit alone on its line ("(AP Photo/…)") closes the caption above it when that reads
    # like one ("…, Sunday, July 15, 2018 on the eve of …").
    previous = -1
    for number, line in enumerate(lines):
        if not line.text.strip():
            continue
        if previous > 0 and number in captions and previous not in captions and _is_photo_credit(line.text):
            above = lines[previous].text
            if 60 <= len(above) <= 1000 and _CAPTION_LIKE.search(above):
                captions.add(previous)
        previous = number


def _not_credit_lines(lines: list[Line], present: _Present, captioned: set[int] | None = None) -> set[int]:
    """Lines that hold no credit of the text: photo captions and the credit lines next to them,
    widgets and ad units, related-article lists, social-media embeds. ``captioned`` (given) gets
    the captions and their credit lines."""
    quiet: set[int] = set()
    embeds = present.mentions(*_EMBED_WORDS)
    widgets = present.mentions("accuweather", "weather.com", "quick look", "天气预报由", "行情数据由")
    filled = [number for number, line in enumerate(lines) if line.text.strip()]
    # a title is never a caption: "… coach. (Getty Images)" closing one credits the story
    words = _CaptionWords.of(present)
    credits = present.mentions("credit")
    captions = [k > 0 and _is_caption(lines[number].text, words) for k, number in enumerate(filled)]
    opening = [_GALLERY_WIDGET_RELATED.match(lines[number].text) for number in filled]
    chrome = [bool(m and m.group("gallery") is not None) for m in opening]
    listing = 0  # titles still to be read after a related-articles header
    if captioned is not None:
        captioned.update(number for k, number in enumerate(filled) if captions[k])
    for k, number in enumerate(filled):
        text = lines[number].text
        related = opening[k]
        if captions[k] or (related and related.group("related") is None) or (
                widgets and _WIDGET_ANYWHERE.search(text)) or (embeds and _EMBED.search(text)):
            quiet.add(number)  # a caption, a gallery's button or a widget
            continue
        if related:
            quiet.add(number)
            listing = 12 if not related.group("rest").strip(" :：-–—|….") else 0
            continue
        if listing and len(text.strip()) <= 100 and not _LIST_STOP.search(text):
            quiet.add(number)
            listing -= 1
        else:
            listing = 0
    # A photographer's credit sits right above or below its caption, alone or with another credit
    # line or a gallery's buttons in between ("Name | AP" twice, then the caption). Captions that
    # only read like one ("Trump, left, and Putin…", "…, Monday, July 16, 2018.") place credits
    # without being set aside themselves.
    for k, number in enumerate(filled):
        if k == 0 or captions[k] or chrome[k] or number in quiet or not _credit_like(lines[number].text, credits):
            continue
        run = [k]
        for step in (-1, 1):
            j = k + step
            while 0 < j < len(filled) and abs(j - k) <= 4:
                text = lines[filled[j]].text
                # a caption is a sentence: a date line ("Business | May 03, 1987") is not one
                if captions[j] or (60 <= len(text) <= 1000 and _CAPTION_LIKE.search(text)):
                    quiet.update(filled[i] for i in run)
                    if captioned is not None and any(_is_photo_credit(lines[filled[i]].text) for i in run):
                        captioned.update(filled[i] for i in run)
                        captioned.add(filled[j])
                    break
                if not (chrome[j] or _credit_like(text, credits)):
                    break
                run.append(j)
                j += step
    return quiet


def _people(result: Attribution, normalized: Normalized, line_start: int, text: str) -> None:
    for m in _PEOPLE.finditer(text):
        span = normalized.mid_span(line_start + m.start(), line_start + m.end())
        result.people.append(Person(role=m.group("role"), name=m.group("name"), span=span))


def _html_claims(result: Attribution, article: Article, registry: NameRegistry | None,
                 publisher: str | None = None) -> None:
    """Credits carried by HTML metadata and by links to a known outlet's site."""
    meta = article.meta
    values: list[tuple[str, str]] = []
    for key in ("credit", "credit_source"):
        if isinstance(meta.get(key), str):
            values.append((key, meta[key]))
    schema = meta.get("schema_org") or {}
    for key in ("isBasedOn", "sourceOrganization", "creditText"):
        value = schema.get(key)
        if isinstance(value, dict):
            value = value.get("name") or value.get("url") or value.get("@id")
        if isinstance(value, list) and value:
            first = value[0]
            value = first if isinstance(first, str) else first.get("name") if isinstance(first, dict) else None
        if isinstance(value, str) and value.strip():
            values.append((key, value.strip()))
    for key, value in values:
        url = value if domain_of(value) and "." in value else None
        result.claims.append(Claim(text=f"{key}: {value}", name=value, kind="meta", span=(0, 0), url=url))
    if registry is None:
        return
    for link in article.links:
        resolved = registry.resolve_domain(link.href)
        if resolved and not (publisher and registry.same(resolved, publisher)):
            result.claims.append(Claim(text=f"<a href=\"{link.href}\">{link.text}</a>", name=link.href,
                                       kind="link", span=(0, 0), url=link.href))


def resolve_claims(attribution: Attribution, registry: NameRegistry) -> None:
    for claim in attribution.claims:
        claim.resolved = registry.resolve(claim.url or claim.name) or (
            registry.resolve(claim.name) if claim.url else None
        )


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans (latest start first) cut out in turn, each at its offsets in the text
    as cut so far, as ``text = text[:start] + text[end:]`` for each would give, in time linear in the
    text and the spans rather than a copy of the text per span."""
    if any(start < 0 or start > len(text) or end < 0 for start, end in spans) or any(
        later[0] > earlier[0] for earlier, later in pairwise(spans)
    ):
        for start, end in spans:
            text = text[:start] + text[end:]
        return text
    kept = len(text)  # the text so far is text[:kept] followed by the pieces in ``tail``
    tail: deque[tuple[int, int]] = deque()
    for start, end in spans:
        if end <= kept:
            if end < kept:
                tail.appendleft((end, kept))
        else:
            drop = end - kept
            while tail and drop:
                lo, hi = tail[0]
                if hi - lo <= drop:
                    tail.popleft()
                    drop -= hi - lo
                else:
                    tail[0] = (lo + drop, hi)
                    drop = 0
        kept = start
    return text[:kept] + "".join(text[lo:hi] for lo, hi in tail)


def credit_spans(normalized: Normalized, attribution: Attribution) -> tuple[set[int], list[tuple[int, int]]]:
    """Credit lines (whole lines that hold little but a credit) and the spans of other credits.

    Neither is fingerprinted: a credit line alone never makes a match, and a credit appended to a
    quoted paragraph must not hide the paragraph.
    """
    whole: set[int] = set()
    spans: list[tuple[int, int]] = []
    by_line: dict[int, list[Claim]] = {}
    for claim in attribution.claims:
        # a dateline opens the paragraph a copy keeps; a notice stays a notice block (its terms are read)
        if claim.line is not None and claim.kind not in ("dateline", "notice"):
            by_line.setdefault(claim.line, []).append(claim)
    if not by_line:  # most texts: their lines are not split again
        return whole, spans
    lines = split_lines(normalized)
    for line_no, claims in by_line.items():
        line = lines[line_no]
        lo, hi = normalized.mid_span(line.start, line.end)
        ordered = sorted(claims, key=lambda c: -c.span[0])
        rest = _cut(normalized.loaded[lo:hi], [(c.span[0] - lo, c.span[1] - lo) for c in ordered])
        if len(re.sub(r"[\W_]", "", rest)) <= 24:
            whole.add(line_no)
        else:
            spans.extend(claim.span for claim in claims)
    return whole, spans


_WHOLE_TEXT = {
    name: re.compile(pattern.pattern, pattern.flags | re.MULTILINE)
    for name, pattern in {
        "link": _LINK, "zh_explicit": _ZH_EXPLICIT, "en_explicit": _EN_EXPLICIT, "bare_url": _BARE_URL,
        "zh_dateline": _ZH_DATELINE, "zh_xun": _ZH_XUN, "zh_report": _ZH_REPORT, "en_agency": _EN_AGENCY,
        "en_by_pipe": _EN_BY_PIPE, "en_lead_agency": _EN_LEAD_AGENCY, "en_title_agency": _EN_TITLE_AGENCY,
        "zh_dash_dateline": _ZH_DASH_DATELINE, "zh_cna": _ZH_CNA, "zh_cite": _ZH_CITE,
        "en_according": _EN_ACCORDING, "en_reported": _EN_REPORTED,
    }.items()
}
_CASELESS = frozenset(name for name, pattern in _WHOLE_TEXT.items() if pattern.flags & re.IGNORECASE)
# IGNORECASE makes these two whole-text searches 5× and 1.7× slower (measured on the bench texts;
# the English credit markers gain nothing). Their literals are lower case and their letter classes
# hold both cases, so a case-sensitive search of the lower-cased text finds the same, except where
# a character folds to an ASCII letter only under IGNORECASE.
_LOWER_TEXT = {name: re.compile(_WHOLE_TEXT[name].pattern, re.MULTILINE) for name in ("link", "bare_url")}
# Literals a pattern cannot match without (lower case where the pattern ignores case): each group
# names alternatives, and a text lacking every literal of a group skips the pattern's search.
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "link": (("原文", "来源链接", "link", "original"),),
    "zh_explicit": (("来源", "稿源", "出处", "转自", "转载自", "转引自", "来自", "源自", "原载", "首发"),),
    "en_explicit": (("source", "credit", "originally", "first", "reprinted", "republished", "courtesy", "adapted"),),
    "bare_url": (("http", "www.", ".co", ".cn", ".net", ".org", ".hk", ".tw", ".info", ".news", ".io", ".uk", ".de"),),
    "zh_dateline": (("月",), ("日",), ("电", "讯", "消息")),
    "zh_xun": (("讯", "电", "消息"),),
    "zh_dash_dateline": (("月",), ("日",), ("-", "–", "—")),
    "zh_cna": (("日",), ("电", "报导", "报道")),
    "zh_cite": (("报道", "报导"),),
    "en_according": (("ccording to",),),
    "en_reported": (("reported", "reports", "said in a report"),),
    "zh_report": (("据",), ("报道", "报导", "消息", "电")),
    "en_agency": (("(",), (")",)),
    "en_by_pipe": (("|",), ("by",)),
    "en_lead_agency": (("-", "–", "—"),),
    "en_title_agency": ((")",),),
}
# The same without the literals holding a Han character, for a text without one: a group left
# empty cannot be met.
_NEEDS_NO_HAN = {name: tuple(_no_han(group) for group in needs) for name, needs in _NEEDS.items()}


# Patterns whose matches start at the text's start or right after a given character: those that
# open a line ("^": after a line break) and those that start after a space or a mark
# ("(?:^|(?<=[…]))", a line break being a space). Searched as that character followed by the rest
# of the pattern, sre scans for the character alone instead of trying the start at every
# character (several times faster); the text's start is matched on its own. None of them has an
# alternative outside a group, which would not follow the start.
_START = re.compile(r"\^|\(\?:\^\|\(\?<=(\[[^\]]{1,40}\])\)\)")


def _after_start(name: str, flags: int) -> re.Pattern[str]:
    """A pattern's rest after its start, following a character that lets it start."""
    pattern = _WHOLE_TEXT[name].pattern
    start = _START.match(pattern)
    if start is None:
        raise ValueError(f"{name} has no start of its own")
    return re.compile((start.group(1) or "\n") + "(?:" + pattern[start.end():] + ")", flags)


_STARTS = {
    name: _after_start(name, _WHOLE_TEXT[name].flags)
    for name in ("zh_dateline", "zh_xun", "zh_dash_dateline", "zh_cna", "en_lead_agency", "en_by_pipe", "zh_explicit",
                 "zh_cite", "en_explicit")
}
# IGNORECASE makes the per-character tests of English credit markers slower: searched in the
# lower-cased text instead (as _LOWER_TEXT's).
_LOWER_STARTS = {"en_explicit": (re.compile(_WHOLE_TEXT["en_explicit"].pattern, re.MULTILINE),
                                 _after_start("en_explicit", re.MULTILINE))}
