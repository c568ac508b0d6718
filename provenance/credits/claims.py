"""Attribution claims an article makes about its source, and the people lines that are not claims.

Claims are read from the ``mid`` level of the text (Simplified, half-width, pinyin removed), so
one set of patterns serves both scripts; every claim keeps its span in the loaded text. Kinds:

``explicit``  来源：X, 稿源：X, 转载自X, 本文来自X, 原载X, ``Source: X``, ``Originally published by X``…
``link``      原文链接：URL, 阅读原文 URL, a URL or bare domain in a credit line, ``<a href>`` in HTML
``dateline``  新华社北京1月21日电, 据X报道, X讯; ``(Reuters) -``, ``WASHINGTON (AP) —``, ``By X | Reuters``
``meta``      schema.org ``isBasedOn``/``sourceOrganization``/``creditText``, IPTC credit/source
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any

from provenance.credits.names import NameRegistry, domain_of
from provenance.documents.model import Article
from provenance.text.blocks import (
    EDITOR,
    FOLDS_TO_ASCII,
    NOTICE,
    Block,
    is_editor_line,
    is_notice,
    may_hold_notice,
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
_ZH_REPORT = re.compile(r"(?:^|(?<=[\s(（，,。]))据(?P<name>[^\s,，。:：]{2,14}?)(?:报道|消息|电)")
_ZH_XUN = re.compile(r"^[^\S\n]*[(（]?(?P<name>[\u4e00-\u9fff]{2,10}?)(?:讯|电)\s*[(（]?")
_EN_AGENCY = re.compile(
    r"\((?P<name>[A-Z][A-Za-z0-9&.' -]{0,40}?)\)\s*(?:[-–—]{1,2}|:)(?:\s|$|(?=[A-Z]))"
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
}
_NOT_NAMES = {
    "editing", "reporting", "writing", "updated", "update", "photo", "photos", "video", "file", "ap photo",
    "corrected", "correction", "recasts", "adds", "pdt", "edt", "est", "gmt", "utc", "bst", "cet", "pst", "cst",
    "live", "analysis", "opinion", "exclusive", "breaking", "wrapup", "factbox", "scenario", "poll",
}
_UPDATE_TAG = re.compile(r"^(?:update|corrected|refile|repeat|rpt|wrapup)\s*\d*$|^\d+$", re.I)


def is_agency(name: str, registry: NameRegistry | None = None) -> bool:
    """A known wire service, a known outlet, or a domain-style outlet name (``SPACE.com``)."""
    key = " ".join(name.lower().split())
    if key in AGENCIES:
        return True
    if registry is not None and registry.resolve(name):
        return True
    return bool(re.fullmatch(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|net|org|co\.uk|cn|com\.cn)", name))


@dataclass
class Claim:
    """A statement in the article about where its text comes from."""

    text: str
    name: str
    kind: str
    span: tuple[int, int]
    url: str | None = None
    resolved: str | None = None
    line: int | None = None

    @property
    def is_link(self) -> bool:
        return self.url is not None or (domain_of(self.name) is not None and "." in self.name)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "name": self.name, "resolved": self.resolved,
                               "span": list(self.span), "kind": self.kind}
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
    lines = split_lines(normalized)
    seen: set[tuple[int, int]] = set()

    def add(kind: str, line_no: int, line_start: int, start: int, end: int, name: str, url: str | None = None) -> None:
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
                                   kind=kind, span=span, url=url, line=line_no))

    present = _Present(normalized.mid)
    notices = may_hold_notice(normalized.mid)
    titled = "原标题" in normalized.mid
    first_body_line = next((i for i, ln in enumerate(lines) if ln.text.strip()), 0)
    for line_no, line in enumerate(lines):
        text = line.text
        if not text.strip():
            continue
        lstart, _ = normalized.mid_span(line.start, line.end)
        k = bisect_right(skip_starts, lstart)
        if (k and skip_reach[k - 1] > lstart) or (notices and is_notice(text)):
            if is_editor_line(text):
                _people(result, normalized, line.start, text)
            continue
        if is_editor_line(text):
            _people(result, normalized, line.start, text)
            continue
        short = len(text.strip()) <= 160
        first_claim = len(result.claims)  # the claims from here on are this line's
        origin = _ORIGINAL_TITLE.search(text) if titled else None
        if origin and not result.original_title:
            result.original_title = origin.group("t").strip("《》\"“” ")
        for m in _LINK.finditer(text) if present("link") else ():
            url = m.group("url")
            add("link", line_no, line.start, m.start(), m.end(), url, url=url)
        for m in _ZH_EXPLICIT.finditer(text) if present("zh_explicit") else ():
            if _SOURCE_WORD.fullmatch(m.group("marker")) and not _labelled(text, m):
                continue  # "资金来源于捐赠": the word 来源 in running text, not a credit label
            _explicit(add, line_no, line.start, text, m)
        for m in _EN_EXPLICIT.finditer(text) if present("en_explicit") else ():
            if m.group("marker").lower() in ("source", "sources", "credit") and not _COLON_EN.match(
                text, m.end("marker")
            ):
                continue  # "source" as an ordinary word, not a credit label
            _explicit(add, line_no, line.start, text, m)
        explicit_here = any(c.kind == "explicit" for c in result.claims[first_claim:])
        if explicit_here:
            for m in _BARE_URL.finditer(text) if present("bare_url") else ():
                add("link", line_no, line.start, m.start(), m.end(), m.group("url"), url=m.group("url"))
        elif short and (not result.claims or line_no > first_body_line):
            for m in _BARE_URL.finditer(text) if present("bare_url") else ():
                # a bare URL/domain only credits in a short line that holds little else
                rest = _BARE_URL.sub("", text)
                if len(re.sub(r"[\W_]", "", rest)) <= 12:
                    add("link", line_no, line.start, m.start(), m.end(), m.group("url"), url=m.group("url"))
        _datelines(add, line_no, line.start, text, registry, is_title=line_no == first_body_line, present=present)
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
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._lower: str | None = None
        self._found: dict[str, bool] = {}

    @property
    def lower(self) -> str | None:
        """The lower-cased text, or None where lower-casing is not the same as IGNORECASE."""
        if self._lower is None:
            self._lower = "" if FOLDS_TO_ASCII.search(self._text) else self._text.lower()
        return self._lower or None

    def __call__(self, name: str) -> bool:
        if name not in self._found:
            self._found[name] = self._search(name)
        return self._found[name]

    def _search(self, name: str) -> bool:
        needs = _NEEDS.get(name)
        if needs is not None:
            caseless = _WHOLE_TEXT[name].flags & re.IGNORECASE
            haystack = self.lower if caseless else self._text
            if haystack is not None and not all(any(lit in haystack for lit in group) for group in needs):
                return False
        lowered = _LOWER_TEXT.get(name)
        if lowered is not None and self.lower is not None:
            return lowered.search(self.lower) is not None
        return _WHOLE_TEXT[name].search(self._text) is not None


def _datelines(add: Any, line_no: int, line_start: int, text: str, registry: NameRegistry | None,
               is_title: bool = False, present: _Present | None = None) -> None:
    present = present or _Present(text)
    m = _ZH_DATELINE.match(text) if present("zh_dateline") else None
    if m:
        # "新华社北京" is outlet + place: the longest prefix that is a known outlet, else the
        # shortest prefix ending like an outlet name (…社, …网, …报, …台).
        prefix = m.group("name")
        name = None
        if registry:
            name = next((prefix[:cut] for cut in range(len(prefix), 1, -1) if registry.resolve(prefix[:cut])), None)
        if name is None:
            ending = _OUTLET_END.match(prefix)
            name = ending.group(0) if ending else prefix
        add("dateline", line_no, line_start, m.start("name"), m.end(), name)
    else:
        m = _ZH_XUN.match(text) if present("zh_xun") else None
        if m and not m.group("name").startswith(("本报", "本台", "本网", "本刊")):
            name = m.group("name")
            if registry and registry.resolve(name):
                add("dateline", line_no, line_start, m.start("name"), m.end(), name)
    for m in _ZH_REPORT.finditer(text) if present("zh_report") else ():
        name = m.group("name")
        if registry and registry.resolve(name):
            add("dateline", line_no, line_start, m.start(), m.end(), name)
    for m in _EN_AGENCY.finditer(text) if present("en_agency") else ():
        if m.start() > 120:
            break
        add("dateline", line_no, line_start, m.start(), m.end(), m.group("name"))
    m = _EN_BY_PIPE.match(text) if present("en_by_pipe") else None
    if m:
        add("dateline", line_no, line_start, m.start("name"), m.end("name"), m.group("name"))
    m = _EN_LEAD_AGENCY.match(text) if present("en_lead_agency") else None
    if m and is_agency(m.group("name"), registry):
        add("dateline", line_no, line_start, m.start("name"), m.end("name"), m.group("name"))
    m = _EN_TITLE_AGENCY.search(text) if present("en_title_agency") else None
    if m and is_title and len(text) <= 200 and not _EN_AGENCY.search(text):
        add("dateline", line_no, line_start, m.start("name"), m.end("name"), m.group("name"))


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
    lines = split_lines(normalized)
    whole: set[int] = set()
    spans: list[tuple[int, int]] = []
    by_line: dict[int, list[Claim]] = {}
    for claim in attribution.claims:
        if claim.line is not None and claim.kind != "dateline":
            by_line.setdefault(claim.line, []).append(claim)
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
    }.items()
}
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
    "zh_xun": (("讯", "电"),),
    "zh_report": (("据",), ("报道", "消息", "电")),
    "en_agency": (("(",), (")",)),
    "en_by_pipe": (("|",), ("by",)),
    "en_lead_agency": (("-", "–", "—"),),
    "en_title_agency": ((")",),),
}
