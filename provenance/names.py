"""Outlet names, aliases and domains: one registry that resolves a credit to a known source.

Names match regardless of script (Traditional/Simplified), width, case and punctuation, and with
common outlet suffixes (网, 新闻网, 客户端, 报社, 微信公众号, "The …", "… Service") set aside; URLs and
bare domains resolve by host, subdomains included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from provenance.text.normalize import normalise_name

_ZH_SUFFIXES = (
    "微信公众号", "公众号", "官方微博", "微博", "客户端", "官方网站", "官网", "新闻网", "网站", "网", "报社", "社",
    "新闻", "app",
)
_ZH_PREFIXES = ("微信公众号", "公众号")
_EN_PREFIXES = ("the",)
_EN_SUFFIXES = ("newsservice", "service", "news", "online", "website", "com", "inc", "ltd", "co")
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
        return host.removeprefix("www.") if host else None
    match = _DOMAIN.match(value)
    return match.group(1).lower().removeprefix("www.") if match else None


def _variants(key: str) -> set[str]:
    """The name key and its forms without outlet prefixes/suffixes (never shorter than 2)."""
    out = {key}
    changed = True
    while changed:
        changed = False
        for item in list(out):
            for prefix in _ZH_PREFIXES + _EN_PREFIXES:
                if item.startswith(prefix) and len(item) - len(prefix) >= 2 and item[len(prefix):] not in out:
                    out.add(item[len(prefix):])
                    changed = True
            for suffix in _ZH_SUFFIXES + _EN_SUFFIXES:
                if item.endswith(suffix) and len(item) - len(suffix) >= 2 and item[: -len(suffix)] not in out:
                    out.add(item[: -len(suffix)])
                    changed = True
    return out


@dataclass
class Outlet:
    name: str
    aliases: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


class NameRegistry:
    """Resolves names, aliases, URLs and domains to canonical outlet names."""

    def __init__(self) -> None:
        self._exact: dict[str, str] = {}
        self._loose: dict[str, str] = {}
        self._domains: dict[str, str] = {}
        self.outlets: dict[str, Outlet] = {}

    def add(self, name: str, aliases: list[str] | tuple[str, ...] = (), url: str | None = None) -> None:
        outlet = self.outlets.setdefault(name, Outlet(name))
        for alias in [name, *aliases]:
            domain = domain_of(alias) if "." in alias else None
            if domain:
                self._domains.setdefault(domain, name)
                outlet.domains.append(domain)
                continue
            key = normalise_name(alias)
            if not key:
                continue
            if alias != name:
                outlet.aliases.append(alias)
            self._exact.setdefault(key, name)
            for variant in _variants(key):
                self._loose.setdefault(variant, name)
        if url:
            domain = domain_of(url)
            if domain:
                self._domains.setdefault(domain, name)
                outlet.domains.append(domain)

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
        if not value or not value.strip():
            return None
        if "." in value and domain_of(value):
            found = self.resolve_domain(value)
            if found:
                return found
        key = normalise_name(value)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        for variant in sorted(_variants(key), key=len, reverse=True):
            if variant in self._exact:
                return self._exact[variant]
            if variant in self._loose:
                return self._loose[variant]
        return None

    def same(self, a: str | None, b: str | None) -> bool:
        if not a or not b:
            return False
        ra, rb = self.resolve(a) or a, self.resolve(b) or b
        return ra == rb or normalise_name(ra) == normalise_name(rb)
