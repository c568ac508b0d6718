"""HTML articles: main text with trafilatura, metadata from meta tags, and the links in the page."""

from __future__ import annotations

import json
from typing import Any

import lxml.html

from provenance.documents.model import Link
from provenance.errors import LoadError

_META_KEYS = {
    "og:site_name": "site_name",
    "article:published_time": "published",
    "og:url": "url",
    "og:title": "title",
    "article:author": "author",
    "author": "author",
    "dc.source": "credit_source",
    "dcterms.source": "credit_source",
    "iptc:credit": "credit",
    "credit": "credit",
    "iptc:source": "credit_source",
    "source": "credit_source",
    "original-source": "credit_source",
    "syndication-source": "credit_source",
}


def _jsonld_fields(tree: Any) -> dict[str, Any]:
    """schema.org fields that carry provenance (``isBasedOn``, ``sourceOrganization``, ``creditText``)."""
    found: dict[str, Any] = {}
    for node in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(node.text_content() or "null")
        except json.JSONDecodeError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for key in ("isBasedOn", "sourceOrganization", "creditText", "datePublished", "publisher"):
                    if key in item and key not in found:
                        found[key] = item[key]
                stack.extend(v for v in item.values() if isinstance(v, dict | list))
    return found


def parse_html(markup: str) -> dict[str, Any]:
    """Return the fields of an HTML article: ``text``, ``title``, ``published``, ``url``, ``links``…"""
    try:
        tree = lxml.html.fromstring(markup)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise LoadError(f"invalid HTML: {exc}") from None
    # Ruby annotations (<rt>, <rp>) are readings, not text: drop them before extraction.
    rubies = tree.xpath("//rt | //rp")
    if rubies:
        for node in rubies:
            node.drop_tree()
        for node in tree.xpath("//ruby | //rb"):
            node.drop_tag()  # keep the base text inline, without the element around it
        markup = lxml.html.tostring(tree, encoding="unicode")
    meta: dict[str, Any] = {}
    for node in tree.xpath("//meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        if key in _META_KEYS and node.get("content") and _META_KEYS[key] not in meta:
            meta[_META_KEYS[key]] = node.get("content").strip()
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    if canonical:
        meta["url"] = canonical[0].strip()
    ld = _jsonld_fields(tree)
    if ld:
        meta["schema_org"] = ld
    links = [
        Link(text=" ".join(a.text_content().split()), href=a.get("href").strip())
        for a in tree.xpath("//body//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer or "
                            "ancestor::aside)]")
        if a.get("href", "").strip().startswith(("http://", "https://", "//"))
    ]
    # Metadata comes from the page's own tags (above); trafilatura's metadata pass guesses dates
    # with dateparser and costs more than the text extraction itself.
    import trafilatura  # imported on first use: it is the slowest import, and plain-text runs never need it

    extracted = trafilatura.bare_extraction(
        markup, with_metadata=False, favor_recall=True, include_comments=False, include_tables=True
    )
    text = ""
    title = meta.get("title")
    if extracted is not None:
        doc = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
        text = doc.get("text") or ""
        title = title or doc.get("title")
    if "published" not in meta:
        published = ld.get("datePublished") if isinstance(ld.get("datePublished"), str) else None
        times = tree.xpath("//time/@datetime")
        if published or times:
            meta["published"] = published or times[0].strip()
    if not text.strip():
        body = tree.find("body")
        text = "\n".join(line.strip() for line in (body if body is not None else tree).itertext())
        text = "\n".join(line for line in text.splitlines() if line)
    if not title:
        titles = tree.xpath("//title/text()")
        title = titles[0].strip() if titles else None
    return {"text": text, "title": title, "meta": meta, "links": links}
