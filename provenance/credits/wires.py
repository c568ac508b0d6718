"""Wires, agencies and syndication services known without a rules file (DESIGN §5, external originals).

Most reuse in news is a wire story carried by many outlets, so the tool knows the big wires by
name in both scripts and in their own languages, by their sites, and — where a notice they print
says so — by the reprint policy that notice states. ``register_wires`` adds them to a
:class:`NameRegistry` (an outlet the registry already knows keeps its canonical name and gains the
wire's aliases); ``notice_owner`` names the wire whose copyright or reprint notice a sentence is.

Policies: only a notice form the wire prints with its copy sets one. The Associated Press and CNN
Newsource end every story with "… All rights reserved. This material may not be published,
broadcast, rewritten or redistributed", which reads as ``no-reprint``; the others are left to the
rules file and the defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from provenance.credits.names import NameRegistry, domain_of
from provenance.text.normalize import normalise_levels

NO_REPRINT = "no-reprint"  # as provenance.credits.disclaimers.NO_REPRINT (not imported: it pulls in text.blocks)
_MAY_NOT = "All rights reserved. This material may not be published, broadcast, rewritten or redistributed."


@dataclass(frozen=True)
class Wire:
    """A wire service or agency: its canonical name, aliases, sites and the policy its notices state."""

    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    policy: str | None = None
    notice: str | None = None  # the notice wording that states ``policy``

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


WIRES: tuple[Wire, ...] = (
    Wire("Associated Press",
         ("The Associated Press", "AP", "AP News", "美联社", "美聯社", "美国联合通讯社", "美國聯合通訊社"),
         ("apnews.com", "ap.org"), NO_REPRINT, f"© The Associated Press. {_MAY_NOT}"),
    Wire("Reuters",
         ("Thomson Reuters", "Thomson/Reuters", "Reuters News", "Reuter", "路透社", "路透", "汤森路透", "湯森路透"),
         ("reuters.com", "thomsonreuters.com", "reutersagency.com")),
    Wire("Agence France-Presse",
         ("AFP", "Agence France Presse", "France-Presse", "AFP News", "法新社", "法国新闻社", "法國新聞社"),
         ("afp.com",)),
    Wire("Bloomberg",
         ("Bloomberg News", "Bloomberg L.P.", "Bloomberg LP", "彭博社", "彭博新闻社", "彭博新聞社", "彭博"),
         ("bloomberg.com",)),
    Wire("dpa",
         ("Deutsche Presse-Agentur", "Deutsche Presse Agentur", "德新社", "德国新闻社", "德國新聞社"),
         ("dpa.com", "dpa-international.com")),
    Wire("EFE", ("Agencia EFE", "埃菲社", "西班牙埃菲社", "埃菲通讯社", "埃菲通訊社"), ("efe.com",)),
    Wire("ANSA",
         ("Agenzia ANSA", "Agenzia Nazionale Stampa Associata", "安莎社", "意大利安莎社", "安莎通讯社", "安莎通訊社"),
         ("ansa.it",)),
    Wire("Kyodo News",
         ("Kyodo", "Kyodo News Agency", "共同社", "日本共同社", "共同通讯社", "共同通訊社", "共同通信社"),
         ("kyodonews.net", "kyodonews.jp")),
    Wire("Yonhap",
         ("Yonhap News Agency", "Yonhap News", "韩联社", "韓聯社", "韩国联合通讯社", "韓國聯合通訊社"),
         ("yna.co.kr", "yonhapnews.co.kr")),
    Wire("PA Media",
         ("Press Association", "PA", "英国报联社", "英國報聯社", "英国新闻联合社", "英國新聞聯合社", "英国报业协会", "英國報業協會"),
         ("pa.media", "pamediagroup.com")),
    Wire("The Canadian Press",
         ("Canadian Press", "CP", "La Presse Canadienne", "加拿大通讯社", "加拿大通訊社", "加通社"),
         ("thecanadianpress.com",)),
    Wire("UPI", ("United Press International", "合众国际社", "合眾國際社", "合众社", "合眾社"), ("upi.com",)),
    Wire("新华社",
         ("新華社", "新华通讯社", "新華通訊社", "新华网", "新華網", "Xinhua", "Xinhua News Agency", "Xinhuanet",
          "Xinhua News", "新华社客户端"),
         ("xinhuanet.com", "news.cn", "xinhua.org")),
    Wire("中新社",
         ("中國新聞社", "中国新闻社", "中新网", "中新網", "中国新闻网", "中國新聞網", "China News Service", "ECNS"),
         ("chinanews.com", "chinanews.com.cn", "ecns.cn")),
    Wire("中央社",
         ("中央通讯社", "中央通訊社", "Central News Agency", "CNA", "Focus Taiwan"),
         ("cna.com.tw", "focustaiwan.tw")),
    Wire("人民日报",
         ("人民日報", "人民日报社", "人民日報社", "人民网", "人民網", "人民日报海外版", "人民日報海外版", "People's Daily",
          "People's Daily Online", "人民日报客户端"),
         ("people.com.cn", "people.cn", "peopledaily.com.cn")),
    # One entry for the China Media Group brands that credit each other's copy: CCTV and its news
    # apps and site, and its international channel CGTN. (China National Radio, 央广, keeps its own
    # name: its copy is credited as 央广网, not as CCTV.)
    Wire("央视",
         ("央視", "中央电视台", "中央電視台", "CCTV", "China Central Television", "央视新闻", "央視新聞", "央视网",
          "央視網", "央视新闻客户端", "央視新聞客戶端", "央视财经", "央視財經", "中央广播电视总台", "中央廣播電視總台",
          "China Media Group", "CMG", "CGTN", "China Global Television Network", "CCTV.com"),
         ("cctv.com", "cctv.cn", "cgtn.com")),
    Wire("澎湃新闻", ("澎湃新聞", "The Paper", "澎湃新闻客户端"), ("thepaper.cn",)),
    Wire("CNN Newsource", ("CNN NewSource", "CNN News Source", "CNN Wire"), ("cnnnewsource.com",),
         NO_REPRINT, f"Copyright by CNN Newsource. {_MAY_NOT}"),
)


# Short aliases that name other outlets too (Channel NewsAsia is "CNA", a rules file may name a
# "CP24" or "PA News"): they are registered, but a wire is never merged into an outlet on their account.
_AMBIGUOUS = frozenset({"CNA", "CP", "PA", "CMG", "ECNS"})


def register_wires(registry: NameRegistry, wires: Iterable[Wire] = WIRES) -> None:
    """Add the wires (names, aliases, domains) to ``registry`` in one ``add_many`` call.

    A wire the registry already knows under its name, an alias or a domain, exactly (a rules file
    naming ``新华网`` or ``reuters.com``), is added under that outlet's canonical name: its aliases
    join the outlet instead of making a second outlet of the same wire. Names the registry holds
    keep the outlet they resolve to (the registry's first entry wins).
    """
    outlets: list[tuple[str, tuple[str, ...], str | None]] = []
    for wire in wires:
        values = (*wire.domains, wire.name, *(alias for alias in wire.aliases if alias not in _AMBIGUOUS))
        known = next((found for value in values if (found := registry.resolve_exact(value))), None)
        outlets.append((known or wire.name, (*wire.names, *wire.domains), None))
    # Exact names only: the forms of the wires' names without an outlet suffix are ordinary words
    # (中央社 → 中央, 共同社 → 共同, 人民网 → 人民, China News Service → China).
    registry.add_many(outlets, variants=False)


@lru_cache(maxsize=1)
def wire_registry() -> NameRegistry:
    """A registry of the wires alone (what extraction knows when it is given no registry)."""
    registry = NameRegistry()
    register_wires(registry)
    return registry


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Wire]:
    return {wire.name: wire for wire in WIRES}


def wire_named(name: str | None) -> Wire | None:
    """The wire a name, alias or domain resolves to among the built-in wires, if any."""
    if not name:
        return None
    found = wire_registry().resolve(name)
    return _by_name().get(found) if found else None


def latin_names() -> list[str]:
    """Every Latin-script name and alias of the wires (for patterns that look for them in English text)."""
    return [name for wire in WIRES for name in wire.names if name.isascii()]


def known_prefix(text: str, registry: NameRegistry | None = None, shortest: int = 2) -> str | None:
    """The longest start of ``text`` that names a known outlet: the wires, or ``registry``.

    Latin text is cut at word ends, other text at every character ("新华社版权所有" → "新华社").
    """
    if domain_of(text) and "." in text and (registry_resolves(text, registry)):
        return text
    cuts: list[int] = []
    for m in _TOKEN.finditer(text):
        if m.group(0).isascii():
            cuts.append(m.end())
        else:
            cuts.extend(range(m.start() + 1, m.end() + 1))
    for cut in reversed(cuts):
        candidate = text[:cut].rstrip(" .,")
        if len(candidate) >= shortest and registry_resolves(candidate, registry):
            return candidate
    return None


_TOKEN = re.compile(r"[^\s]+")


def registry_resolves(name: str, registry: NameRegistry | None = None) -> str | None:
    """Canonical outlet of ``name`` in ``registry``, else among the wires; None if neither knows it."""
    return (registry.resolve(name) if registry is not None else None) or _wire_resolve(name)


@lru_cache(maxsize=4096)
def _wire_resolve(name: str) -> str | None:
    return wire_registry().resolve(name)


# -- notices -------------------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d\d"
# "© 2018 The Associated Press", "Copyright 2018 by CNN NewSource", "(c) Copyright Thomson Reuters
# 2018", "Copyright © 2000-2024 XINHUANET.com", "©新华社". The owner is at most six words; the year
# may follow it. Every quantifier after the marker is possessive or bounded: a marker followed by
# a long run of anything is read once.
_EN_NOTICE = re.compile(
    r"(?<![\w@])(?P<mark>(?:(?:©|\(c\)|copyright\b)\s*+){1,3})"
    r"(?P<year>" + _YEAR + r"(?:\s*+[-–]\s*+" + _YEAR + r")?+[\s,]*+)?+"
    r"(?:by\s++)?+"
    r"(?P<owner>[^\W\d_][\w&'/.-]{0,40}+(?: [^\W\d_][\w&'/.-]{0,40}+){0,5}+)"
    r"(?P<after>,?+\s*+" + _YEAR + r")?+",
    re.I,
)
# "新华社版权所有", "版权所有：新华网", "版权归人民日报社所有" (at the ``mid`` level: Simplified).
_ZH_NOTICE = re.compile(
    r"(?P<before>[\u4e00-\u9fffA-Za-z.]{2,12})\s*+版权所有"
    r"|版权所有\s*+[:：]?+\s*+(?:©\s*+)?+(?P<after>[\u4e00-\u9fffA-Za-z.]{2,20}+)"
    r"|版权归(?P<inner>[\u4e00-\u9fffA-Za-z.]{2,12}?)所有"
)
_RESERVED = re.compile(r"all rights reserved|may not be (?:re)?(?:published|broadcast|rewritten|redistributed)", re.I)
_ABBREVIATION = re.compile(r"(?<![A-Za-z.])(?:[A-Za-z]\.)+|(?<![\w-])[\w-]+\.(?:com|cn|net|org)\.?")  # "L.P.", "XINHUANET.com"
_PHOTO_AFTER = re.compile(r"(?<!\s)(?:\s*+/|\s++(?:photo|image|via)\b)", re.I)  # "© Reuters/Kevin Lamarque": a photo credit


@dataclass
class NoticeOwner:
    """A wire named as the owner in a copyright notice: the name as written and its place."""

    name: str
    wire: str
    start: int  # of the notice's marker, in the text searched
    end: int  # of the name


def notice_owners(text: str, registry: NameRegistry | None = None) -> list[NoticeOwner]:
    """Every wire named as copyright owner in ``text`` (read at the ``mid`` level, one line).

    An English notice needs the word "copyright", a year or "all rights reserved"/"may not be
    published" in the line: "© Reuters/Kevin Lamarque" under a photo is a photo credit.
    """
    found: list[NoticeOwner] = []
    lower = text.lower()
    if "©" in text or "(c)" in lower or "copyright" in lower:
        reserved = _RESERVED.search(text)
        for m in _EN_NOTICE.finditer(text):
            owner = m.group("owner")
            words = owner.split(" ")
            for k, word in enumerate(words):  # a sentence ends the owner ("… ClickOnDetroit. The …")
                if word.endswith(".") and not _ABBREVIATION.fullmatch(word):
                    owner = " ".join(words[: k + 1])
                    break
            name = known_prefix(owner, registry)
            if not name:
                continue
            end = m.start("owner") + len(name)
            if _PHOTO_AFTER.match(text, end) and not m.group("year"):
                continue
            stated = ("copyright" in m.group("mark").lower() or m.group("year") or m.group("after")
                      or (reserved and reserved.start() >= end))
            if stated:
                wire = registry_resolves(name, registry)
                if wire:
                    found.append(NoticeOwner(name, wire, m.start(), end))
    if "版权" in text:
        for m in _ZH_NOTICE.finditer(text):
            if m.group("before") is not None:
                run, start = m.group("before"), m.start("before")
                # the owner ends right before 版权所有: try the run's shortest tails first
                name = next((run[cut:] for cut in range(len(run) - 1)
                             if registry_resolves(run[cut:], registry)), None)
                if name:  # the claim runs to the end of 版权所有
                    found.append(NoticeOwner(name, registry_resolves(name, registry) or name,
                                             start + len(run) - len(name), m.end()))
                continue
            group = "after" if m.group("after") is not None else "inner"
            name = known_prefix(m.group(group), registry)
            if name:
                found.append(NoticeOwner(name, registry_resolves(name, registry) or name, m.start(),
                                         m.start(group) + len(name)))
    return found


def notice_owner(sentence: str, registry: NameRegistry | None = None) -> str | None:
    """The wire whose copyright or reprint notice ``sentence`` is, by canonical name; None if none.

    "© 2018 The Associated Press. All rights reserved…" → "Associated Press"; "Copyright 2018 by
    CNN NewSource…" → "CNN Newsource"; "(c) Copyright Thomson Reuters 2018" → "Reuters";
    "新华社版权所有，未经授权不得转载" → "新华社". With ``registry``, the canonical name there.
    """
    owners = notice_owners(normalise_levels(sentence)[0], registry)
    return owners[0].wire if owners else None


def wire_policy(name: str | None) -> tuple[str, str] | None:
    """``(policy, notice)`` a wire's own notices state, for a name, alias or domain of it; None if unknown."""
    wire = wire_named(name)
    if wire is None or wire.policy is None:
        return None
    return wire.policy, wire.notice or ""
