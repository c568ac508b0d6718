"""Outlet names, aliases and domains: one registry that resolves a credit to a known source.

Names match regardless of script (Traditional/Simplified), width, case and punctuation, and with
common outlet suffixes (网, 新闻网, 客户端, 报社, 微信公众号, "The …", "… Service") set aside; URLs and
bare domains resolve by host, subdomains included.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from urllib.parse import urlsplit

from provenance.text.normalize import normalise_name, normalise_names

_ZH_SUFFIXES = (
    "微信公众号", "公众号", "官方微博", "微博", "客户端", "官方网站", "官网", "新闻网", "网站", "网", "报社", "社",
    "新闻", "app",
)
_ZH_PREFIXES = ("微信公众号", "公众号")
_EN_PREFIXES = ("the",)
_EN_SUFFIXES = ("newsservice", "service", "news", "online", "website", "com", "inc", "ltd", "co")
_MAX_HOST = 253  # the longest host name DNS allows: longer "domains" are not looked up label by label
_MIN_LABEL = 5  # shorter site labels ("ap", "abc", "cnn") name too many things to match a credit
# Answers kept per registry (credits repeat: "Reuters" in every Reuters story); forgotten all at
# once when full, so a long-running service reading many distinct names stays bounded.
_MEMO_SIZE = 4_096
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?:/.*)?$", re.I)


def domain_of(value: str) -> str | None:
    """Host of a URL or bare domain, lower-cased, without ``www.``; None if it is not one."""
    value = value.strip().strip("()（）<>[]【】\"'“”")
    if not value:
        return None
    if "://" in value or value.startswith("//"):
        try:
            host = urlsplit(value if "://" in value else "http:" + value).hostname
        except ValueError:  # e.g. "http://[not-an-address"
            return None
        host = host.removeprefix("www.") if host else None
        return host if host and len(host) <= _MAX_HOST else None
    match = _DOMAIN.match(value) if len(value) <= _MAX_HOST + 2048 else None
    host = match.group(1).lower().removeprefix("www.") if match else None
    return host if host and len(host) <= _MAX_HOST else None


_ALL_PREFIXES = _ZH_PREFIXES + _EN_PREFIXES
# Suffixes by their last character: a name's last character names the few worth trying.
_BY_LAST: dict[str, tuple[str, ...]] = {}
for _suffix in _ZH_SUFFIXES + _EN_SUFFIXES:
    _BY_LAST[_suffix[-1]] = (*_BY_LAST.get(_suffix[-1], ()), _suffix)


def _variants(key: str) -> Collection[str]:
    """The name key and its forms without outlet prefixes/suffixes (never shorter than 2)."""
    if key[-1:] not in _BY_LAST and not key.startswith(_ALL_PREFIXES):
        return (key,)
    # Written out (no helper calls, no comprehensions): a rules file may hold 300,000 names.
    out = {key}
    todo = [key]
    while todo:
        item = todo.pop()
        size = len(item)
        for suffix in _BY_LAST.get(item[-1:], ()):
            if size - len(suffix) >= 2 and item.endswith(suffix):
                variant = item[: -len(suffix)]
                if variant not in out:
                    out.add(variant)
                    todo.append(variant)
        if item.startswith(_ALL_PREFIXES):
            for prefix in _ALL_PREFIXES:
                if size - len(prefix) >= 2 and item.startswith(prefix):
                    variant = item[len(prefix):]
                    if variant not in out:
                        out.add(variant)
                        todo.append(variant)
    return out


class NameRegistry:
    """Resolves names, aliases, URLs and domains to canonical outlet names."""

    def __init__(self) -> None:
        self._exact: dict[str, str] = {}
        self._loose: dict[str, str] = {}
        self._domains: dict[str, str] = {}
        self._labels: dict[str, str] = {}  # a domain's name label ("foxnews" of foxnews.com) → outlet
        self._keys: dict[str, str] = {}  # name or alias as written → its normalised key
        self._hosts: dict[str, list[str]] | None = None  # outlet → its domains (made when first asked)
        self._resolved: dict[str, str | None] = {}  # resolve's answers (cleared when outlets are added)
        self._computed: dict[str, str] = {}  # keys of names not added

    def add(self, name: str, aliases: Sequence[str] = (), url: str | None = None) -> None:
        self.add_many([(name, aliases, url)])

    def add_many(self, outlets: Iterable[tuple[str, Sequence[str], str | None]], variants: bool = True) -> None:
        """Add ``(name, aliases, url)`` outlets in order: the first outlet to claim a key keeps it.

        A rules file may list 100,000 outlets: their names are normalised as one text and the
        lookup tables are made from lists of pairs, then merged, instead of one entry at a time.
        ``variants=False`` registers the names exactly: a name written with an outlet suffix still
        resolves, but the names' own forms without one are not registered ("中国新闻社" does not
        make "中国" a name of the agency).
        """
        written = [(name, (name, *aliases), url) for name, aliases, url in outlets]
        domains = {alias: domain_of(alias) for _, names, _ in written for alias in names if "." in alias}
        plain = [alias for _, names, _ in written for alias in names if not domains.get(alias)]
        keys = dict(zip(plain, normalise_names(plain), strict=True))
        self._keys.update(keys)
        exact: list[tuple[str, str]] = []
        loose: list[tuple[str, str]] = []
        hosts: list[tuple[str, str]] = []
        for name, names, url in written:
            for alias in names:
                domain = domains.get(alias)
                if domain:
                    hosts.append((domain, name))
                    continue
                key = keys[alias]
                if key:
                    exact.append((key, name))
                    if variants:
                        loose.extend((variant, name) for variant in _variants(key))
            domain = domain_of(url) if url else None
            if domain:
                hosts.append((domain, name))
        # dict() of the reversed pairs keeps each key's first outlet; entries made before win.
        self._exact = {**dict(reversed(exact)), **self._exact}
        self._loose = {**dict(reversed(loose)), **self._loose}
        self._domains = {**dict(reversed(hosts)), **self._domains}
        self._hosts = None
        self._resolved = {}
        labels = [(label, name) for domain, name in hosts if len(label := domain.split(".", 1)[0]) >= _MIN_LABEL]
        self._labels = {**dict(reversed(labels)), **self._labels}

    def _by_site(self, value: str) -> str | None:
        """The outlet of a URL or bare domain (None for a plain name)."""
        return self.resolve_domain(value) if "." in value and domain_of(value) else None

    def resolve_domain(self, value: str) -> str | None:
        domain = domain_of(value)
        if not domain:
            return None
        parts = domain.split(".")
        for i in range(len(parts) - 1):
            candidate = ".".join(parts[i:])
            if candidate in self._domains:
                return self._domains[candidate]
        return None

    def resolve(self, value: str) -> str | None:
        """Canonical outlet for a credited name, alias, URL or domain; None if unknown."""
        try:
            return self._resolved[value]
        except KeyError:
            if len(self._resolved) >= _MEMO_SIZE:
                self._resolved = {}
            found = self._resolved[value] = self._resolve(value)
            return found

    def _resolve(self, value: str) -> str | None:
        if not value or not value.strip():
            return None
        found = self._by_site(value)
        if found:
            return found
        key = self.key(value)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        for variant in sorted(_variants(key), key=len, reverse=True):
            if variant in self._exact:
                return self._exact[variant]
            if variant in self._loose:
                return self._loose[variant]
        # An outlet known only by its site is credited by name: "Fox News" is foxnews.com's,
        # "USA Today" usatoday.com's (the name written together is the site's first label).
        return self._labels.get(key) if key.isascii() and key.isalnum() else None

    def resolve_exact(self, value: str) -> str | None:
        """The outlet registered under exactly this name, alias or domain (no suffix set aside)."""
        if not value or not value.strip():
            return None
        return self._by_site(value) or self._exact.get(self.key(value))

    def same(self, a: str | None, b: str | None) -> bool:
        if not a or not b:
            return False
        ra, rb = self.resolve(a) or a, self.resolve(b) or b
        return ra == rb or self.key(ra) == self.key(rb)

    def names_site(self, name: str | None, site: str | None) -> bool:
        """``name`` is ``site`` or one of its brands: "Yahoo View" and "Yahoo News Video" are
        channels of yahoo.com, "Google News" is news.google.com, "Lakeport Daily Radio" is
        lakeportdaily.com's (the name's first words written together, of at least ``_MIN_LABEL``
        letters, are a label of the site's host)."""
        if not name or not site:
            return False
        if self.same(name, site):
            return True
        words = re.findall(r"[a-z0-9]+", name.lower())[:4]
        heads = {"".join(words[:k]) for k in range(1, len(words) + 1)}
        heads = {head for head in heads if len(head) >= _MIN_LABEL}
        if not heads:
            return False
        outlet = self.resolve(site) or site
        hosts = [domain] if (domain := domain_of(site)) else []
        if self._hosts is None:  # one pass over the domains, not one per question (rules of 100,000 sources)
            self._hosts = {}
            for host, owner in self._domains.items():
                self._hosts.setdefault(owner, []).append(host)
        hosts += self._hosts.get(outlet, [])
        return any(label in heads for host in hosts for label in host.split(".")[:-1])

    def key(self, name: str) -> str:
        """:func:`normalise_name` of ``name``, looked up for the names and aliases added."""
        found = self._keys.get(name)
        if found is None:
            found = self._computed.get(name)
            if found is None:
                if len(self._computed) >= _MEMO_SIZE:
                    self._computed = {}
                found = self._computed[name] = normalise_name(name)
        return found
