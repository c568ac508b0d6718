"""Fuzzing as a standing benchmark: generated and mutated inputs through the loaders, the
normaliser (with its offset map), credit extraction and rules parsing.

    python benchmarks/fuzz.py --n 100000 [--seed S] [--targets loaders,normalise,credits,rules]
                              [--jobs 2] [--out DIR] [--max-seconds 1] [--bomb-mb 200] [--json]
    python benchmarks/fuzz.py --replay DIR [--profile]   # one saved input again: traceback, timing

Inputs come from hypothesis strategies (generation only, no shrinking, no example database)
built from project-written fragments — credit lines (来源：X, 來源：X, ``Source: X``, ``(Reuters) -``,
``HELSINKI (AP) —``, 新华社北京7月15日电), URLs, pinyin annotations, full-width text, zero-width and
other invisible characters, editor lines, disclaimers, the texts of ``corpora/sample`` and
``tests/corpus_kit.py`` — mixed with random Unicode, lone surrogates, repeated patterns
(``a.a.a.… x.com``, ``((((…``) and byte-level mutations of the sample files. The first shard of
each target starts with a catalogue of hand-made hostile inputs (:func:`catalogue`), so every
known failure class is tried in every run. Per target:

``loaders``    files with the right suffix (txt, md, html, json, jsonl, jsonl.gz…) in UTF-8, GB18030,
               Big5, UTF-16/32 with and without BOM, legacy code pages and broken encodings; hostile
               YAML/TOML front matter (alias bombs, deep nesting, huge scalars, 2024-13-45, tags such
               as ``!!python/object``), hostile HTML (deep nesting, broken markup, JSON-LD garbage,
               ``&#xD800;``), JSON with lone surrogates, deep nesting and huge numbers, gzip bombs and
               corrupt gzip, folders with a generated ``source.toml``. ``load_file`` (or
               ``load_paths`` for a folder) must not raise: a bad file is an ``Article`` with ``error``.
               Every readable article then goes the way index build takes it (``analyse``,
               ``indexed_doc``, ``pack_text``), which must not raise either.
``normalise``  ``normalise`` on generated text: every offset of ``mid`` and ``norm`` lies in the text,
               offsets never go backwards (so spans map monotonically), spans map inside the text,
               and the stored offset map (``encode_offsets``/``OffsetMap``) gives the same offsets.
``credits``    ``analyse`` (normalise, blocks, claims, disclaimers, fingerprint) on generated text and
               HTML-like metadata: every claim, person, block and credit span satisfies
               ``0 <= start <= end <= len(text)``, and a claim's text is the text at its span.
``rules``      ``load_rules`` on generated ``provenance.toml``/``pyproject.toml`` files (valid and
               invalid, huge, many ``[[source]]``, wrong types, deep nesting) and ``parse_rules`` on
               generated tables: only ``ProvenanceError`` (``ConfigError``) may be raised.

Any other exception is an uncaught exception. Every input is timed in CPU seconds (a busy shared
machine does not make an input slow; wall time is reported too), runs under a CPU-time alarm
(``--timeout``) and, in every worker, under an address-space limit (``--mem-mb`` above the
worker's size), so a bomb costs a MemoryError, not the machine. Exit code 1 when there is an
uncaught exception, an offset outside the text or out of order, a crash, or an input over
``--max-seconds``. Each distinct failure (type, deepest provenance frame, raising frame) and the
slowest inputs are saved under ``--out`` as folders of files plus ``repro.json``.

Work is cut into shards of 1,000 inputs with seeds derived from ``--seed``, so a run gives the same
inputs whatever ``--jobs``; ``--jobs N`` runs shards in N worker processes (a worker that dies is
replaced, its shard run again without the input that killed it, which is saved as a crash), and
``--budget`` stops starting shards after so many seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import itertools
import json
import multiprocessing
import os
import resource
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
TARGETS = ("loaders", "normalise", "credits", "rules")
SCHEMA = "provenance-fuzz/1"
SHARD_SIZE = 1000
MAX_CRASHES = 20  # a shard whose worker dies more often is given up (its inputs are not counted)
MAX_DOWNSTREAM = 20  # articles of one file analysed after loading (a JSON Lines file may hold thousands)

# -- project-written fragments ------------------------------------------------------------------
# Every outlet, person, place and domain below is invented (domains under example.cn/.com), as in
# corpora/sample; the wire services are named as news texts name them.
CREDITS = (
    "来源：新华社", "来源: 西岭网", "來源：中央社", "來源：西嶺網", "稿源：江城晚报", "文章来源：柳川日报客户端",
    "本文来自微信公众号“南塘商报”", "转载自 www.liuchuan.example.cn", "原载《北岭日报》", "首发于东溪新闻网",
    "（来源：本地日报）", "【来源：新华网】", "信息来源于：南塘商報", "来源：", "来源：来源：来源：",
    "Source: Reuters", "Source: Northgate Press", "SOURCE: AP", "Sources: AP, AFP", "Credit: Millbrook Courier",
    "Originally published by The Millbrook Courier", "This article first appeared on northgatepress.example.com",
    "Reprinted with permission from Northgate Press", "Courtesy of NGP", "Adapted from the Ridgeview Tribune",
    "(Jorge Silva/Reuters)", "图片来源：视觉中国", "Provided by Weather Box", "(Photo: AP)", "原标题：西岭港吞吐量增长",
    "原文链接：https://www.xiling.example.cn/2024/07/xl-2024-0715.html", "阅读原文 http://nantang.example.cn/a?id=1",
    "Read the original: https://www.northgatepress.example.com/news/1", "link: www.bendi.example.cn",
)
DATELINES = (
    "(Reuters) - ", "HELSINKI (AP) — ", "WASHINGTON (AFP) -- ", "BEIJING, July 15 (Xinhua) -- ", "AP - ",
    "By The Associated Press", "By Jane Roe | Reuters", "新华社北京7月15日电", "新华社北京7月15日电（记者王小明）",
    "（中央社記者李大同台北15日電）", "中新网7月15日电", "据新华社报道，", "据央视新闻消息，", "本报讯", "西岭网讯（记者 陈晓）",
    "RIDGEVIEW (Northgate Press) — ", "(AP)", "NEW YORK (CNN Business) - ", "柳川日报7月1日讯",
)
EDITORS = (
    "责任编辑：王小明", "責任編輯：李大同", "编辑：陈晓 审核：刘一", "Editing by Dana Whitfield", "Reporting by Ann Lee; Writing by Bo Chen",
    "记者 张三 通讯员 李四", "【编辑：吴某】", "Compiled by the Bendi Daily desk", "By Dana Whitfield", "作者：",
)
DISCLAIMERS = (
    "未经授权，不得转载。", "未經授權不得轉載", "转载请注明出处。", "本文仅代表作者观点，不代表本站立场。", "如有侵权请联系删除",
    "© 2018 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or "
    "redistributed.", "This story may not be republished without permission.", "Licensed under CC BY 4.0.",
    "免责声明：本文内容仅供参考，不构成投资建议。", "版权声明：本网所有内容，未经许可不得转载、摘编。", "Copyright © Bendi Daily",
    "Notice: views expressed are the author's own.",
)
URLS = (
    "https://www.xiling.example.cn/2024/07/xl.html", "http://example.com", "www.bendi.example.cn", "liuchuan.example.cn/a/b",
    "https://a.b.c.d.e.f.g.h/", "http://[::1]/", "http://[not-an-address", "//cdn.example.com/x", "https://例子.测试/路径",
    "mailto:desk@bendi.example.cn", "xn--fsqu00a.xn--0zwm56d", "https://user:pw@host.example.com:99999/", "http://",
    "https://www.northgatepress.example.com/news/2024/06/park.html?utm_source=x#top", "javascript:alert(1)",
)
PINYIN = ("區(qū)", "社(shè)区(qū)", "新华(xīn huá)社", "（zhōng）中", "长(cháng)江", "【pīn yīn】", "重(chóng)庆(qìng)", "行(háng)")
WIDE = ("ＸＩＮＨＵＡ", "来源：新華社", "１２３４", "Ｓｏｕｒｃｅ：Ｒｅｕｔｅｒｓ", "ｈｔｔｐｓ：／／ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", "（ＡＰ）", "\u3000\u3000")
INVISIBLE = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u180e", "\u3164", "\ufe0f",
    "\U000e0100", "\u034f", "\x00", "\x7f", "\x85", "\u2028", "\u2029", "\r", "\t", "\f", "\v", "\x1c", "\x1e",
)
ODD = (
    "\ud800", "\udfff", "\ud83d", "\udc00\ud800", "\U0001f600", "👨\u200d👩\u200d👧", "e\u0301", "\u0301" * 20, "𠀀𪚥",
    "İıſK", "ß", "ﬁ", "Å", "\uffff", "\U0010ffff", "\ue000", "ⅷ", "㍿", "…", "——", "«»", "“”「」『』", "隨身碟", "軟體",
    "計程車", "\u0644\u0627", "Ꙋ", "ǅ", "ΐ", "\u1160", "\U00020000",
)
SEPARATORS = ("\n", "\r\n", "\n\n", " ", "：", ":", "，", "。", "\r", "---\n", "+++\n", "|", "—")
PATTERNS = (
    "a.", "a.a", ".", "a-", "-", "来源", "来源：", "（", "(", "(A", "[", "http://", "www.", "据", "电", "7月15日", "a ", " ",
    "\n", "\r\n", "中", "A", "A.", "Source: ", "(Reuters) - ", "—", "x.co", "0.", "1", ":", "區(qū)", "\u200b", "by ",
    "|", "原文", "ab.cd.", "a@b.", "&#", "<", "{", "'", '"', "\\", "Ａ", "電",
)
REPEATS = (1, 2, 3, 5, 10, 30, 100, 300, 1000, 3000, 10000, 20000)
TAILS = ("", "", "", " x.com", "\nwww.bendi.example.cn", "a", ")", "：新华社", "\n", "电", " (AP) — x")
TEXT_FRAGMENTS = CREDITS + DATELINES + EDITORS + DISCLAIMERS + URLS + PINYIN + WIDE

DATES = (
    "2024-07-15", "2024-07-15T10:05:00+08:00", "2024-13-45", "2024-02-30", "2024-01-01 25:61:00", "0000-00-00",
    "2024-1-1T10:00:00+99:00", "9999-12-31T23:59:59Z", "2024-07-15T10:05:00.123456789Z", "", "yesterday", "1e9",
    "2024-W29-1", "２０２４-０７-１５", "2024-07-15\x00",
)


@cache
def sample_files() -> tuple[tuple[str, bytes], ...]:
    """(suffix, bytes) of every article file of corpora/sample: seeds for byte-level mutation."""
    out: list[tuple[str, bytes]] = []
    for path in sorted(SAMPLE.rglob("*")):
        name = path.name.lower()
        suffix = next((s for s in (".jsonl.gz", ".jsonl", ".json", ".html", ".md", ".txt") if name.endswith(s)), None)
        if path.is_file() and suffix and name not in ("expected.jsonl", "readme.md"):
            out.append((suffix, path.read_bytes()))
    return tuple(out) or ((".txt", "来源：新华社\n正文。".encode()),)


@cache
def names() -> st.SearchStrategy[str]:
    """Outlet-like names: the start of a sample line or a credit."""
    return st.sampled_from(tuple(line[:30] for line in sample_lines()) + CREDITS)


@cache
def sample_lines() -> tuple[str, ...]:
    """Lines of the project-written sample articles and of the test kit's texts."""
    lines: set[str] = set()
    for _, data in sample_files():
        for encoding in ("utf-8", "utf-16", "gb18030", "big5"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            lines.update(line for line in text.splitlines() if line.strip())
            break
    kit = ROOT / "tests" / "corpus_kit.py"
    if kit.exists():
        spec = importlib.util.spec_from_file_location("_fuzz_corpus_kit", kit)
        if spec and spec.loader:
            module = importlib.util.module_from_spec(spec)
            with contextlib.suppress(Exception):
                spec.loader.exec_module(module)
                for value in vars(module).values():
                    if isinstance(value, str) and len(value) > 40:
                        lines.update(line for line in value.splitlines() if line.strip())
    return tuple(sorted(lines)) or ("正文。",)


# -- inputs --------------------------------------------------------------------------------------


@dataclass
class FuzzInput:
    """One generated input: the files to write (relative path → bytes), the one to load, options."""

    target: str
    kind: str
    files: dict[str, bytes]
    entry: str
    options: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return self.files[self.entry].decode("utf-8", "surrogatepass")

    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    def save(self, folder: Path, info: dict[str, Any]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        meta = {"target": self.target, "kind": self.kind, "entry": self.entry, "options": self.options,
                "files": sorted(self.files), **info}
        (folder / "repro.json").write_text(json.dumps(meta, indent=1, default=str) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> FuzzInput:
        meta = json.loads((folder / "repro.json").read_text(encoding="utf-8"))
        files = {name: (folder / name).read_bytes() for name in meta["files"]}
        return cls(meta["target"], meta["kind"], files, meta["entry"], meta.get("options", {}))


def _text_input(target: str, kind: str, text: str, **options: Any) -> FuzzInput:
    return FuzzInput(target, kind, {"text.txt": text.encode("utf-8", "surrogatepass")}, "text.txt", options)


# -- strategies ----------------------------------------------------------------------------------


def _weighted(*pairs: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, picked in proportion to its weight."""
    return st.one_of([s for weight, s in pairs for _ in range(weight)])


def repeated() -> st.SearchStrategy[str]:
    """A pattern repeated, then a tail that lets a regex's literal pre-check pass (``x.com`` after
    ``a.a.a.…``): the shape of input that makes a backtracking pattern quadratic."""
    return st.builds(lambda unit, k, tail: unit * k + tail, st.sampled_from(PATTERNS), st.sampled_from(REPEATS),
                     st.sampled_from(TAILS))


@cache
def pieces() -> st.SearchStrategy[str]:
    return _weighted(
        (4, st.sampled_from(TEXT_FRAGMENTS)),
        (5, st.sampled_from(sample_lines())),
        (3, st.text(max_size=24)),
        (4, st.sampled_from(SEPARATORS)),
        (2, st.sampled_from(INVISIBLE + ODD)),
        (1, repeated()),
    )


@cache
def article_texts() -> st.SearchStrategy[str]:
    """Article-like text: real-looking lines, credits and separators mixed with random Unicode."""
    return st.lists(pieces(), max_size=24).map("".join)


def _encode(text: str, encoding: str) -> bytes:
    """The text in an encoding: unencodable characters replaced (or kept as invalid UTF-8/16 bytes)."""
    if encoding == "utf-16-bom":
        return text.encode("utf-16", "surrogatepass")
    if encoding.startswith(("utf-8", "utf-16", "utf-32")):
        return text.encode(encoding, "surrogatepass")
    return text.encode(encoding, "replace")


ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "gb18030", "big5", "big5", "utf-16-bom",
             "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "shift_jis", "euc_kr")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True).replace("\\/", "/")


def _yaml_alias_bomb(levels: int, width: int, field_name: str) -> str:
    lines = ['l0: &l0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + f"\n{field_name}: *l{levels}\n"


YAML_HOSTILE = (
    "published: 2024-13-45\n", "published: 2024-02-30\n", "published: 2024-01-01 25:61:00\n",
    "published: 2024-1-1T10:00:00+99:00\n", "published: !!timestamp 2024-13-45\n", "title: !!python/object:os.system ls\n",
    "title: !!python/name:os.system\n", "title: !!binary AAAA\n", "title: !!binary '@@@'\n", "tags: !!set {a, b}\n",
    "tags: !!omap [a: 1, b: 2]\n", "tags: !!omap 5\n", "title: !!float x\n", "title: !!int 0xZZ\n", "title: !!bool maybe\n",
    "title: !!int " + "9" * 5000 + "\n", "title: !custom x\n", "title: *undefined\n", "? [a, b]\n: c\n", "a: &a {x: 1}\nb:\n  <<: *a\n",
    "id: 1\nid: 2\n", "- a\n- b\n", "just a string\n", "title: [\n", "\t title: x\n", "published: 1e400\n",
    "source: null\nurl: ~\n", "title: 'a\x00b'\n", "published: [2024, 7, 15]\n", "published: {year: 2024}\n",
    "license: !!str\n", "title: |\n  a\n b\n", "title: >-\n" + "  x\n" * 50, "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
)
TOML_HOSTILE = (
    "published = 2024-13-45\n", "published = 2024-07-15T10:05:00+25:00\n", "published = 07:32:00\n",
    "published = 1979-05-27\n", "title = " + "9" * 5000 + "\n", "title = 1e999\n", "title = nan\n", "id = {a = 1}\n",
    "source = [\"a\", 1]\n", "title = \"\\ud800\"\n", "title = \"a\n", "[a]\n[a]\n", "a.b.c = 1\n", "title = '''x\n",
)


@st.composite
def yaml_front(draw: st.DrawFn) -> str:
    choice = draw(st.sampled_from(("fields",) * 5 + ("hostile",) * 3 + ("bomb", "deep", "huge")))
    if choice == "bomb":  # width ** levels strings once expanded: 8, 243, 15,625, 40 million, 387 million
        levels, width = draw(st.sampled_from(((3, 2), (5, 3), (6, 5), (8, 9), (9, 9))))
        return _yaml_alias_bomb(levels, width, draw(st.sampled_from(("title", "source", "published", "tags", "id", "url"))))
    if choice == "deep":
        depth = draw(st.sampled_from((10, 100, 1000, 5000)))
        opener, closer = draw(st.sampled_from((("[", "]"), ("{a: ", "}"), ("- ", ""))))
        if opener == "- ":
            return "title:\n" + "".join("  " * k + "- \n" for k in range(min(depth, 400)))
        return "title: " + opener * depth + closer * depth + "\n"
    if choice == "huge":
        return "title: " + draw(st.sampled_from(PATTERNS)).replace(":", "x").replace("\n", " ") * 300_000 + "\n"
    if choice == "hostile":
        return "".join(draw(st.lists(st.sampled_from(YAML_HOSTILE), min_size=1, max_size=3)))
    keys = draw(st.lists(st.sampled_from(("id", "title", "source", "url", "published", "publisher", "license", "tags")),
                         max_size=7))
    values = st.one_of(st.sampled_from(DATES + URLS + CREDITS), st.text(max_size=20).map(json.dumps))
    return "".join(f"{key}: {draw(values)}\n" for key in keys)


@st.composite
def toml_front(draw: st.DrawFn) -> str:
    choice = draw(st.sampled_from(("fields", "fields", "hostile", "deep")))
    if choice == "deep":
        depth = draw(st.sampled_from((10, 100, 1000, 5000)))
        opener, closer = draw(st.sampled_from((("[", "]"), ("{a=", "}"))))
        return "title = " + opener * depth + closer * depth + "\n"
    if choice == "hostile":
        return "".join(draw(st.lists(st.sampled_from(TOML_HOSTILE), min_size=1, max_size=3)))
    keys = draw(st.lists(st.sampled_from(("id", "title", "source", "url", "published", "publisher", "license")), max_size=6,
                         unique=True))
    values = st.one_of(st.sampled_from(DATES + URLS + CREDITS).map(_toml_string), st.sampled_from(DATES[:2]),
                       st.integers().map(str))
    return "".join(f"{key} = {draw(values)}\n" for key in keys)


@st.composite
def text_files(draw: st.DrawFn) -> tuple[str, str, str]:
    """(kind, suffix, text) of a .txt/.md article, with or without front matter."""
    body = draw(article_texts())
    front = draw(st.sampled_from(("none", "yaml", "yaml", "toml", "broken")))
    newline = draw(st.sampled_from(("\n", "\r\n")))
    suffix = draw(st.sampled_from((".md", ".md", ".txt", ".markdown", ".text", ".MD")))
    if front == "yaml":
        block = "---" + newline + draw(yaml_front()).replace("\n", newline) + "---" + newline
    elif front == "toml":
        block = "+++" + newline + draw(toml_front()).replace("\n", newline) + "+++" + newline
    elif front == "broken":
        block = draw(st.sampled_from(("---\ntitle: x\n", "---\n---\n", "+++\n+++", "---", "--- \t\ntitle: x\n--- \n",
                                      "+++\n---\n", "---\n" * 50)))
    else:
        block = ""
    return f"text/{front}", suffix, block + body


JSONLD_GARBAGE = (
    '{"isBasedOn": [5]}', '{"isBasedOn": [null]}', '{"isBasedOn": {"name": 5}}', '{"sourceOrganization": [[]]}',
    '{"creditText": {"name": {"a": 1}}}', '{"datePublished": 5}', '{"datePublished": "2024-13-45"}', '[{"@graph": [', "null",
    '{"isBasedOn": "https://www.xiling.example.cn/x"}', '{"publisher": {"name": "西岭网"}}', "{'a': 1}", "\ud800",
    '{"a": ' + "9" * 5000 + "}", '{"a": 1e999999}', '{"a": "\\ud800"}', "NaN", '{"a": Infinity}', "",
)
ENTITIES = ("&#xD800;", "&#0;", "&#x110000;", "&#99999999999;", "&nbsp", "&amp;#x41;", "&#x0D;", "&#65", "&lt;p&gt;",
            "&zwnj;", "&#x200B;", "&bogus;", "&#xFFFE;", "&#128512;")
HTML_TAGS = ("<p>", "</p>", "<div>", "</div>", "<br>", "<span>", "</span>", "<article>", "</article>", "<nav>", "</nav>",
             "<footer>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<table><tr><td>",
             "<ruby>區<rt>qū</rt></ruby>", "<rp>(</rp>", "<template>", "<svg><script>", "<noscript>", "<<>>", "</>", "<a",
             "<iframe srcdoc='<p>x</p>'>", "<base href='http://x'>", "<math>", "<plaintext>", "<xmp>", "<title>")


@st.composite
def html_files(draw: st.DrawFn) -> tuple[str, str, str]:
    """(kind, suffix, markup) of an HTML article: real-looking, broken, or hostile."""
    suffix = draw(st.sampled_from((".html", ".html", ".htm", ".xhtml")))
    metas = []
    for _ in range(draw(st.integers(0, 4))):
        prop = draw(st.sampled_from(("og:site_name", "article:published_time", "og:url", "og:title", "author",
                                     "dc.source", "iptc:credit", "source", "syndication-source", "description")))
        content = draw(st.one_of(st.sampled_from(DATES + URLS + CREDITS), st.text(max_size=12)))
        metas.append(f'<meta property="{prop}" content="{content.replace(chr(34), "&quot;")}">')
    if draw(st.booleans()):
        metas.append(f'<link rel="canonical" href="{draw(st.sampled_from(URLS))}">')
    for _ in range(draw(st.integers(0, 2))):
        metas.append(f'<script type="application/ld+json">{draw(st.sampled_from(JSONLD_GARBAGE))}</script>')
    paragraphs = []
    for _ in range(draw(st.integers(0, 4))):
        text = draw(article_texts())
        if draw(st.booleans()):
            text = text.replace("&", "&amp;").replace("<", "&lt;")
        extra = draw(st.lists(st.one_of(st.sampled_from(HTML_TAGS), st.sampled_from(ENTITIES)), max_size=4))
        paragraphs.append("<p>" + text + "".join(extra) + "</p>")
    links = [f'<a href="{draw(st.sampled_from(URLS))}">{draw(st.sampled_from(CREDITS))}</a>'
             for _ in range(draw(st.integers(0, 3)))]
    body = "\n".join(paragraphs + links)
    shape = draw(st.sampled_from(("page", "page", "deep", "broken", "fragment", "xml-declaration", "time")))
    if shape == "deep":
        depth = draw(st.sampled_from((50, 300, 1000, 5000, 20000)))
        tag = draw(st.sampled_from(("div", "span", "b", "table", "p", "li", "a")))
        body = f"<{tag}>" * depth + body + f"</{tag}>" * depth
    elif shape == "time":
        body = f'<time datetime="{draw(st.sampled_from(DATES))}">x</time>' + body
    head = "<head><meta charset=\"utf-8\"><title>" + draw(st.sampled_from(sample_lines())) + "</title>" + "".join(metas) + "</head>"
    markup = "<!DOCTYPE html><html>" + head + "<body><article>" + body + "</article></body></html>"
    if shape == "xml-declaration":
        markup = '<?xml version="1.0" encoding="UTF-8"?>\n' + markup
    elif shape == "fragment":
        markup = body
    elif shape == "broken":
        cut = draw(st.integers(0, max(0, len(markup) - 1)))
        markup = markup[:cut] + draw(st.sampled_from(HTML_TAGS)) + markup[cut:][: draw(st.integers(0, 200))]
    return f"html/{shape}", suffix, markup


@cache
def json_values() -> st.SearchStrategy[Any]:
    """JSON values where a string is expected: mostly a catalogue of odd ones (cheap to draw),
    sometimes a small random tree."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=16),
                       st.sampled_from(TEXT_FRAGMENTS + DATES + ODD))
    keys = st.one_of(st.sampled_from(("text", "title", "id", "source", "url", "published", "publisher", "license",
                                      "isBasedOn", "sourceOrganization", "creditText", "datePublished", "name", "@id")),
                     st.text(max_size=8))
    trees = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                         max_leaves=6)
    return _weighted((3, st.sampled_from(ODD_VALUES)), (2, st.sampled_from(TEXT_FRAGMENTS + DATES)), (1, trees))


ODD_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, float("nan"), float("inf"), -float("inf"), 10**30, -(2**63), "", " ", "\ud800",
    [], {}, [5], [None], [1.5], [[]], [{}], ["来源：新华社"], {"name": 5}, {"name": None}, {"name": {"a": 1}},
    {"url": 5}, {"@id": []}, [{"name": "新华社"}, 5], {"name": "西岭网", "url": "https://www.xiling.example.cn/"},
    [[[[[[[[[[["deep"]]]]]]]]]]], {"a": {"a": {"a": {"a": {"a": {}}}}}},
)


@st.composite
def json_records(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, JSON text) of one article record: well formed, odd, or hostile."""
    shape = draw(st.sampled_from(("record", "record", "record", "odd-fields", "surrogate", "deep", "huge-number",
                                  "not-object", "garbage", "huge-text")))
    record: dict[str, Any] = {"text": draw(article_texts())}
    for key in draw(st.lists(st.sampled_from(("id", "title", "source", "url", "published", "publisher", "license")),
                             max_size=5)):
        record[key] = draw(st.sampled_from(DATES + URLS + CREDITS)) if shape == "record" else draw(json_values())
    if shape == "odd-fields":
        record["text"] = draw(st.one_of(json_values(), article_texts()))
    ensure_ascii = draw(st.booleans())
    if shape == "surrogate":
        key = draw(st.sampled_from(("text", "title", "source", "published")))
        record[key] = str(record.get(key, "")) + draw(st.sampled_from(("\ud800", "\udfff", "\udc00\ud800", "a\ud83d")))
    raw = json.dumps(record, ensure_ascii=ensure_ascii)
    if shape == "deep":
        depth = draw(st.sampled_from((100, 1000, 5000, 100_000)))
        raw = raw[:-1] + ', "meta": ' + "[" * depth + "]" * depth + "}"
    elif shape == "huge-number":
        raw = raw[:-1] + ', "n": ' + draw(st.sampled_from(("9" * 5000, "1e999999", "-0", "1" + "0" * 400 + ".5", "NaN",
                                                            "-Infinity", "0." + "0" * 5000 + "1"))) + "}"
    elif shape == "not-object":
        raw = draw(st.sampled_from(("[]", '"text"', "5", "null", "true", "[" + raw + "]", raw + raw, raw + " x")))
    elif shape == "garbage":
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.sampled_from(('"', "\\", "\\u", "\\ud800", "}", "\x00", "\n", ""))) + raw[cut:]
    elif shape == "huge-text":
        raw = raw[:-1] + ', "title": "' + "a" * 2_000_000 + '"}'
    return shape, raw


def gzip_member(data: bytes, level: int = 6) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@cache
def gzip_bomb(kind: str, megabytes: int) -> bytes:
    """A one-member gzip file of about ``megabytes`` MiB once decompressed, built without compressing
    it all: the deflate block of one MiB, fully flushed, repeats byte for byte."""
    record = json.dumps({"text": "新华社北京7月15日电 西岭港上半年集装箱吞吐量同比增长一成。"}, ensure_ascii=False).encode() + b"\n"
    prefix, unit, suffix = {
        "spaces": (b"", b" " * 2**20, b""),
        "newlines": (b"", b"\n" * 2**20, b""),
        "records": (b"", record * (2**20 // len(record)), b""),
        "one-line": (b'{"text": "', b"a" * 2**20, b'"}\n'),
        "zeros": (b"", b"\x00" * 2**20, b""),
    }[kind]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = [block, again]
    if block == again:
        body.extend([block] * (megabytes - 2))
    else:  # not reproducible block by block: compress it all (slower, same result)
        body.extend(compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH) for _ in range(megabytes - 2))
    tail = compressor.compress(suffix) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(megabytes):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    size = (len(prefix) + len(unit) * megabytes + len(suffix)) & 0xFFFFFFFF
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + head + b"".join(body) + tail + struct.pack("<II", crc, size)


@st.composite
def gzip_files(draw: st.DrawFn, bomb_mb: int) -> tuple[str, bytes]:
    """(kind, bytes) of a .jsonl.gz file: good, corrupt, or a bomb."""
    shape = draw(st.sampled_from(("good", "good", "good", "truncated", "flipped", "bad-crc", "members", "header",
                                  "not-gzip", "bomb")))
    if shape == "bomb":
        kind = draw(st.sampled_from(("spaces", "newlines", "records", "one-line", "zeros")))
        size = draw(st.sampled_from((1, 8, 32, bomb_mb)))
        return f"gz/bomb-{kind}-{size}MiB", gzip_bomb(kind, size)
    lines = [draw(json_records())[1] for _ in range(draw(st.integers(1, 3)))]
    data = gzip_member("\n".join(lines).encode("utf-8", "surrogatepass"))
    if shape == "truncated":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif shape == "flipped":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    elif shape == "bad-crc":
        data = data[:-8] + b"\0\0\0\0" + data[-4:]
    elif shape == "members":
        data = data + gzip_member(b"\n" + lines[0].encode("utf-8", "surrogatepass")) + draw(st.sampled_from((b"", b"\0" * 8, b"junk")))
    elif shape == "header":
        flags = draw(st.integers(0, 255))
        data = data[:3] + bytes([flags]) + data[4:10] + draw(st.binary(max_size=40)) + data[10:]
    elif shape == "not-gzip":
        data = draw(st.sampled_from((b"", b"\x1f", b"\x1f\x8b", b"\x1f\x8b\x08", "\n".join(lines).encode("utf-8", "surrogatepass"))))
    return f"gz/{shape}", data


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """(kind, suffix, bytes): a sample file with a few byte-level mutations."""
    suffix, data = draw(st.sampled_from(sample_files()))
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "duplicate", "truncate", "splice", "byte")))
        at = draw(st.integers(0, len(buf)))
        if op == "flip" and buf:
            at = min(at, len(buf) - 1)
            buf[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            buf[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "byte":
            buf[at:at] = draw(st.sampled_from((b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\r", b"---\n", b"+++\n",
                                               b"\xed\xa0\x80", b"\x81", b"\xa1", b"&#xD800;", b"\\ud800", b"\n")))
        elif op == "delete":
            del buf[at : at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            buf[at:at] = buf[at : at + draw(st.integers(1, 256))] * draw(st.sampled_from((1, 2, 10, 1000)))
        elif op == "truncate":
            del buf[at:]
        elif op == "splice":
            buf[at:at] = draw(st.sampled_from(TEXT_FRAGMENTS)).encode(draw(st.sampled_from(("utf-8", "gb18030", "big5"))),
                                                                       "replace")
    return f"mutated{suffix}", suffix, bytes(buf)


@st.composite
def loader_inputs(draw: st.DrawFn, bomb_mb: int = 200) -> FuzzInput:
    shape = draw(st.sampled_from(("text", "text", "text", "html", "html", "json", "jsonl", "jsonl", "gz", "mutated",
                                  "mutated", "folder", "binary")))
    encoding = draw(st.sampled_from(ENCODINGS))
    if shape in ("text", "folder"):
        kind, suffix, text = draw(text_files())
        data = _encode(text, encoding)
        kind = f"{kind}/{encoding}"
    elif shape == "html":
        kind, suffix, markup = draw(html_files())
        data = _encode(markup, encoding if draw(st.booleans()) else "utf-8")
    elif shape == "json":
        kind, raw = draw(json_records())
        suffix, data, kind = ".json", _encode(raw, encoding if draw(st.booleans()) else "utf-8"), f"json/{kind}"
    elif shape == "jsonl":
        lines = [draw(json_records()) for _ in range(draw(st.integers(0, 6)))]
        separator = draw(st.sampled_from(("\n", "\r\n", "\n\n", "\u2028", "\x85")))
        suffix = draw(st.sampled_from((".jsonl", ".ndjson")))
        data = _encode(separator.join(raw for _, raw in lines), encoding if draw(st.booleans()) else "utf-8")
        kind = "jsonl/" + "+".join(sorted({k for k, _ in lines}))
    elif shape == "gz":
        kind, data = draw(gzip_files(bomb_mb))
        suffix = ".jsonl.gz"
    elif shape == "mutated":
        kind, suffix, data = draw(mutated_files())
    else:
        suffix = draw(st.sampled_from((".txt", ".json", ".html", ".jsonl")))
        data = draw(st.one_of(st.binary(max_size=200), st.sampled_from((b"", b"\x00", b"\xff\xfe", b"\xfe\xff\x00",
                                                                          b"\xef\xbb\xbf", b"\x00\x00\xfe\xff"))))
        kind = "binary"
    if shape == "folder":
        defaults = draw(rules_texts())[1]
        files = {"corpus/source.toml": defaults.encode("utf-8", "surrogatepass"), f"corpus/a/article{suffix}": data}
        return FuzzInput("loaders", f"folder/{kind}", files, "corpus", {"walk": True})
    return FuzzInput("loaders", kind, {f"article{suffix}": data}, f"article{suffix}")


# -- rules ---------------------------------------------------------------------------------------
POLICIES = ("free", "attribution-required", "attribution-and-link", "no-reprint")
TOML_VALUES = (
    '""', '"x"', "'literal'", '"""multi\nline"""', "0", "-1", "1", "0.3", "1.5", "-0.0", "1e400", "inf", "nan", "-inf",
    "true", "false", "1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", "99999999999999999999999", "0x7fffffffffffffff",
    "[]", "{}", '["a", 1]', '["新华社", "新華社", "Xinhua"]', "[[]]", '{name = "x"}', '"\\u0000"', '"\\ud800"', "9" * 5000,
    "0b102", "1_000", '"attribution-required"', '"no-reprint"', '"ATTRIBUTION-REQUIRED"', "[1.5, 2]",
)
DEFAULT_KEYS = ("policy", "excerpt_max", "min_passage", "no_edits", "max_df", "max_df_share", "unknown")
SOURCE_KEYS = ("name", "aliases", "url", "policy", "licensees", "excerpt_max", "min_passage", "no_edits", "own", "extra")
FINGERPRINT_KEYS = ("num_perm", "minhash_scheme", "seed", "shingle_cjk", "shingle_words", "cjk_share", "lsh_threshold",
                    "simhash_bits", "simhash_blocks", "winnow_cjk", "winnow_words", "normaliser", "tokenizer", "bogus")


@cache
def toml_values() -> st.SearchStrategy[str]:
    return _weighted(
        (4, st.sampled_from(TOML_VALUES)),
        (2, st.sampled_from(POLICIES).map(_toml_string)),
        (2, st.one_of(st.text(max_size=16), st.sampled_from(TEXT_FRAGMENTS + ODD)).map(_toml_string)),
        (1, st.lists(st.sampled_from(TEXT_FRAGMENTS + ODD).map(_toml_string), max_size=4).map(lambda v: "[" + ", ".join(v) + "]")),
        (1, st.integers().map(str)),
        (1, st.floats(allow_nan=False, allow_infinity=False).map(repr)),
    )


@st.composite
def source_table(draw: st.DrawFn, header: str) -> str:
    lines = [header]
    if draw(st.integers(0, 5)):
        lines.append(f"name = {_toml_string(draw(names()))}")
    for key in draw(st.lists(st.sampled_from(SOURCE_KEYS), max_size=5, unique=True)):
        if key == "name":
            continue
        good = {"policy": st.sampled_from(POLICIES).map(_toml_string),
                "aliases": st.lists(st.sampled_from(CREDITS + URLS).map(_toml_string), max_size=3).map(lambda v: f"[{', '.join(v)}]")}
        lines.append(f"{key} = {draw(good[key] if key in good and draw(st.booleans()) else toml_values())}")
    return "\n".join(lines)


@st.composite
def rules_texts(draw: st.DrawFn, pyproject: bool = False) -> tuple[str, str]:
    """(kind, TOML text) of a rules file: valid, with wrong types, huge, deep, many sources, broken."""
    shape = draw(st.sampled_from(("typed",) * 6 + ("valid", "valid", "broken", "broken", "many-sources", "deep", "huge")))
    prefix = "tool.provenance." if pyproject else ""
    parts = ["[tool.provenance]"] if pyproject else []
    if draw(st.integers(0, 3)):
        parts.append(f"publisher = {_toml_string(draw(names()))}")
    if shape != "valid" and draw(st.booleans()):
        parts.append(f"{draw(st.sampled_from(('subscriptions', 'publisher', 'index', 'scan', 'nonsense')))} = {draw(toml_values())}")
    if draw(st.booleans()):
        parts.append(f"[{prefix}defaults]")
        for key in draw(st.lists(st.sampled_from(DEFAULT_KEYS), max_size=4, unique=True)):
            value = draw(toml_values()) if shape != "valid" else {
                "policy": '"free"', "excerpt_max": "0.3", "min_passage": "50", "no_edits": "false", "max_df": "100",
                "max_df_share": "0.01", "unknown": '"x"'}[key]
            parts.append(f"{key} = {value}")
    count = draw(st.integers(0, 4))
    if shape == "many-sources":
        count = draw(st.sampled_from((30, 100, 300, 1500)))
        one = draw(source_table(f"[[{prefix}source]]"))
        parts.extend(one.replace("name = ", f"name = \"s{k}\" #", 1) if "name = " in one else one for k in range(count))
    else:
        parts.extend(draw(source_table(f"[[{prefix}source]]")) for _ in range(count))
    if draw(st.integers(0, 3)) == 0:
        parts.append(f"[{prefix}fingerprint]")
        parts.extend(f"{key} = {draw(toml_values())}"
                     for key in draw(st.lists(st.sampled_from(FINGERPRINT_KEYS), max_size=3, unique=True)))
    if draw(st.integers(0, 5)) == 0:
        parts.append(draw(st.sampled_from((f'[{prefix}index]\npath = "x.sqlite"', f"[{prefix}index]\npath = 5",
                                           f'{prefix}index = "redis://x"', f"[{prefix}scan]\nfail_on = 1"))))
    if shape == "deep":
        depth = draw(st.sampled_from((10, 100, 1000, 5000, 50_000)))
        parts.append(draw(st.sampled_from((
            "deep = " + "[" * depth + "]" * depth, "deep = " + "{a=" * depth + "}" * depth,
            "[" + ".".join(["a"] * depth) + "]", "[[" + prefix + "source]]\nname = \"x\"\naliases = " + "[" * depth + "]" * depth,
        ))))
    elif shape == "huge":
        parts.append(draw(st.sampled_from((
            'publisher = "' + "新华社" * 300_000 + '"', "# " + "x" * 1_000_000, "\n" * 300_000, "a = 1\n" * 100_000,
            f"[{prefix}defaults]\nmin_passage = " + "9" * 5000, f"[{prefix}defaults]\nexcerpt_max = 1" + "0" * 400,
        ))))
    text = "\n".join(parts) + draw(st.sampled_from(("\n", "", "\r\n")))
    if shape == "broken":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(('"', "[", "]", "=", "\n[[", "'''", "\x00", "\ud800", "= =", "\\"))) + text[at:]
    if pyproject and draw(st.integers(0, 4)) == 0:
        text = draw(st.sampled_from(("tool = 5\n", "[tool]\nprovenance = 'x'\n", "[tool]\nprovenance = [1]\n",
                                     "[tool.provenance]\n[[tool.provenance]]\n", "[project]\nname = 'x'\n")))
    return shape, text


@st.composite
def rules_mappings(draw: st.DrawFn) -> dict[str, Any]:
    """A parsed rules table as ``parse_rules`` takes it, with values TOML cannot even write (null)."""
    values = json_values()
    tables = {"defaults": st.dictionaries(st.sampled_from(DEFAULT_KEYS), values, max_size=4),
              "source": st.lists(st.one_of(st.dictionaries(st.sampled_from(SOURCE_KEYS), values, max_size=5), values),
                                 max_size=4),
              "fingerprint": st.dictionaries(st.sampled_from(FINGERPRINT_KEYS), values, max_size=3)}
    mapping: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(("publisher", "defaults", "source", "fingerprint", "index", "subscriptions",
                                              "scan", "nonsense")), max_size=5, unique=True)):
        mapping[key] = draw(st.one_of(tables[key], values) if key in tables else values)
    return mapping


@st.composite
def rules_inputs(draw: st.DrawFn) -> FuzzInput:
    if draw(st.integers(0, 3)) == 0:
        mapping = draw(rules_mappings())
        text = json.dumps(mapping, ensure_ascii=False, default=str)  # the "file" its lines are looked up in
        return FuzzInput("rules", "rules/parse_rules", {"provenance.toml": _encode(text, "utf-8")}, "provenance.toml",
                         {"mapping": mapping})
    pyproject = draw(st.integers(0, 4)) == 0
    shape, text = draw(rules_texts(pyproject))
    name = "pyproject.toml" if pyproject else "provenance.toml"
    encoding = draw(st.sampled_from(("utf-8",) * 8 + ("utf-8-sig", "gb18030", "utf-16-bom")))
    return FuzzInput("rules", f"rules/{'pyproject/' if pyproject else ''}{shape}/{encoding}", {name: _encode(text, encoding)},
                     name, {"strict": draw(st.booleans())})


@st.composite
def normalise_inputs(draw: st.DrawFn) -> FuzzInput:
    return _text_input("normalise", "text", draw(article_texts()))


@st.composite
def credit_inputs(draw: st.DrawFn) -> FuzzInput:
    text = draw(article_texts())
    if draw(st.integers(0, 2)):
        return _text_input("credits", "text", text)
    meta: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(("credit", "credit_source", "site_name")), max_size=2)):
        meta[key] = draw(st.one_of(st.sampled_from(CREDITS + URLS), json_values()))
    if draw(st.booleans()):
        meta["schema_org"] = {key: draw(json_values()) for key in
                              draw(st.lists(st.sampled_from(("isBasedOn", "sourceOrganization", "creditText", "publisher")),
                                            max_size=3))}
    links = [[draw(st.sampled_from(CREDITS)), draw(st.sampled_from(URLS))] for _ in range(draw(st.integers(0, 3)))]
    return _text_input("credits", "html-meta", text, meta=meta, links=links)


def strategy_for(target: str, bomb_mb: int) -> st.SearchStrategy[FuzzInput]:
    return {"loaders": loader_inputs(bomb_mb), "normalise": normalise_inputs(), "credits": credit_inputs(),
            "rules": rules_inputs()}[target]


# -- the catalogue: known hostile inputs, run first in every target's first shard -----------------


def _seed(target: str, name: str, files: dict[str, bytes | str], entry: str | None = None, **options: Any) -> FuzzInput:
    data = {path: value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
            for path, value in files.items()}
    return FuzzInput(target, f"seed/{name}", data, entry or next(iter(data)), options)


def catalogue(target: str, bomb_mb: int) -> list[FuzzInput]:
    """Hand-made inputs for the failure classes the harness exists to catch, so a run always tries
    each once whatever hypothesis happens to draw (it never draws the same choices twice, and a
    rare branch may not come up in a short run)."""
    aaa = "a." * 20000 + " x.com"
    if target == "loaders":
        md = "---\n{}---\n来源：新华社\n正文。\n"
        out = [
            _seed(target, "yaml-alias-bomb-title", {"a.md": md.format(_yaml_alias_bomb(9, 9, "title"))}),
            _seed(target, "yaml-alias-bomb-published", {"a.md": md.format(_yaml_alias_bomb(8, 9, "published"))}),
            _seed(target, "yaml-alias-bomb-tags", {"a.md": md.format(_yaml_alias_bomb(9, 9, "tags"))}),
            *(_seed(target, f"yaml-{name}", {"a.md": md.format(line)}) for name, line in (
                ("bad-date", "published: 2024-13-45\n"), ("bad-time", "published: 2024-01-01 25:61:00\n"),
                ("bad-offset", "published: 2024-1-1T10:00:00+99:00\n"), ("python-tag", "title: !!python/object:os.system ls\n"),
                ("bool-tag", "title: !!bool maybe\n"), ("float-tag", "title: !!float x\n"),
                ("int-digits", "title: !!int " + "9" * 5000 + "\n"), ("binary", "title: !!binary AAAA\n"),
                ("deep", "title: " + "[" * 5000 + "]" * 5000 + "\n"), ("huge", "title: " + "x" * 2_000_000 + "\n"))),
            *(_seed(target, f"toml-{name}", {"a.md": "+++\n" + line + "+++\n正文。\n"}) for name, line in (
                ("bad-date", "published = 2024-13-45\n"), ("deep", "title = " + "[" * 5000 + "]" * 5000 + "\n"),
                ("int-digits", "title = " + "9" * 5000 + "\n"))),
            *(_seed(target, f"gzip-bomb-{kind}", {"a.jsonl.gz": gzip_bomb(kind, bomb_mb)})
              for kind in ("spaces", "newlines", "records", "one-line", "zeros")),
            _seed(target, "gzip-truncated", {"a.jsonl.gz": gzip_member(b'{"text": "x"}\n' * 50)[:-20]}),
            _seed(target, "gzip-bad-crc", {"a.jsonl.gz": gzip_member(b'{"text": "x"}\n')[:-8] + b"\0" * 8}),
            _seed(target, "gzip-empty", {"a.jsonl.gz": b""}),
            _seed(target, "json-lone-surrogate", {"a.json": '{"text": "来源：新华社 \\ud800 正文", "title": "\\udfff"}'}),
            _seed(target, "jsonl-lone-surrogate", {"a.jsonl": '{"text": "a\\udc00b"}\n{"text": "ok"}\n'}),
            _seed(target, "json-deep", {"a.json": '{"text": "x", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"}),
            _seed(target, "json-int-digits", {"a.json": '{"text": "x", "n": ' + "9" * 5000 + "}"}),
            _seed(target, "json-not-object", {"a.json": "[1, 2]"}),
            _seed(target, "jsonl-u2028", {"a.jsonl": '{"text": "a\u2028b"}\n'}),
            _seed(target, "html-deep", {"a.html": "<div>" * 20000 + "<p>正文</p>" + "</div>" * 20000}),
            _seed(target, "html-entities", {"a.html": "<p>" + "".join(ENTITIES) + " 来源：新华社</p>"}),
            _seed(target, "html-jsonld-list", {"a.html": '<script type="application/ld+json">{"isBasedOn": [5]}</script>'
                                                        "<p>正文内容。</p>"}),
            _seed(target, "html-jsonld-deep", {"a.html": '<script type="application/ld+json">' + "[" * 100_000
                                                        + "</script><p>正文内容。</p>"}),
            _seed(target, "html-jsonld-digits", {"a.html": '<script type="application/ld+json">{"a": ' + "9" * 5000
                                                          + "}</script><p>正文内容。</p>"}),
            _seed(target, "html-nul", {"a.html": "<p>a\x00b</p><meta name='author' content='\x01'>"}),
            _seed(target, "html-xml-declaration", {"a.xhtml": '<?xml version="1.0" encoding="UTF-8"?><html><p>x</p></html>'}),
            _seed(target, "text-url-regex", {"a.txt": aaa + "\n来源：新华社\n"}),
            _seed(target, "text-utf16-no-bom", {"a.txt": "来源：新华社\n正文。".encode("utf-16-le")}),
            _seed(target, "text-invalid-utf8", {"a.txt": b"\xed\xa0\x80 \xff\xfe abc"}),
            _seed(target, "text-bom-only", {"a.txt": b"\xef\xbb\xbf"}),
            _seed(target, "text-empty", {"a.txt": b""}),
            _seed(target, "text-nul", {"a.txt": b"\x00" * 1000}),
            _seed(target, "folder-source-toml-deep", {"c/source.toml": "a = " + "[" * 5000 + "]" * 5000,
                                                      "c/x/a.md": "正文。"}, "c", walk=True),
            _seed(target, "folder-source-toml-date", {"c/source.toml": "published = 2024-13-45", "c/x/a.md": "正文。"},
                  "c", walk=True),
        ]
        return out
    if target == "normalise":
        return [_text_input(target, f"seed/{name}", text) for name, text in (
            ("surrogates", "来源\ud800新华社\udfff"), ("invisible", "".join(INVISIBLE) * 3 + "正文"),
            ("pinyin", "社(shè)区(qū)" * 500), ("traditional", "隨身碟軟體計程車" * 1000), ("combining", "e" + "\u0301" * 5000),
            ("url-regex", aaa), ("empty", ""), ("spaces", " " * 100_000), ("huge", "中文 English " * 100_000),
            ("odd", "".join(ODD) * 50), ("brackets", "（" * 5000 + "區(qū)"), ("newlines", "\n" * 100_000))]
    if target == "credits":
        return [
            *(_text_input(target, f"seed/{name}", text) for name, text in (
                ("url-regex", aaa), ("url-regex-credit", "来源：" + aaa), ("credit-run", "来源：" * 5000),
                ("agency-run", "(A" * 5000 + ") - x"), ("source-run", "Source: " * 5000 + "x"),
                ("dateline-run", "新华社北京" * 2000 + "7月15日电"), ("by-pipe", "By " + "a |" * 5000),
                ("report-run", "据" * 5000 + "报道"), ("lines", "来源：新华社\n" * 20000))),
            _text_input(target, "seed/meta-list", "正文。", meta={"schema_org": {"isBasedOn": [5]}}),
            _text_input(target, "seed/meta-dict", "正文。", meta={"schema_org": {"creditText": {"name": {"a": 1}}}}),
            _text_input(target, "seed/links", "正文。", links=[["x", "http://[not-an-address"], ["y", "//"]]),
        ]
    if target == "rules":
        def rules(name: str, text: str | bytes, file: str = "provenance.toml", strict: bool = True) -> FuzzInput:
            return _seed(target, name, {file: text}, strict=strict)
        many = "".join(f'[[source]]\nname = "s{k}"\naliases = ["a{k}"]\npolicy = "free"\n' for k in range(1500))
        return [
            rules("pyproject-tool-int", "tool = 5\n", "pyproject.toml"),
            rules("pyproject-provenance-str", "[tool]\nprovenance = 'x'\n", "pyproject.toml"),
            rules("many-sources", 'publisher = "x"\n' + many),
            rules("deep-array", "a = " + "[" * 50_000 + "]" * 50_000),
            rules("deep-table", "a = " + "{a=" * 5000 + "}" * 5000),
            rules("int-digits", "[defaults]\nmin_passage = " + "9" * 5000),
            rules("float-overflow", "[defaults]\nexcerpt_max = 1" + "0" * 400),
            rules("source-overflow", '[[source]]\nname = "x"\nexcerpt_max = 1' + "0" * 400),
            rules("wrong-types", 'publisher = 5\ndefaults = 1\nsource = "x"\nfingerprint = []\nindex = 5\n'),
            rules("binary", b"\x00\xff\xfe garbage"), rules("utf16", "publisher = 'x'".encode("utf-16")),
            rules("empty", b""), rules("huge", 'publisher = "' + "新华社" * 300_000 + '"'),
            rules("fingerprint-types", "[fingerprint]\nnum_perm = -1\nseed = 1.5\nshingle_cjk = 0\n"),
            _seed(target, "parse_rules-types", {"provenance.toml": "{}"},
                  mapping={"defaults": {"excerpt_max": 10**400, "max_df": None}, "source": [None, {"name": 5}],
                           "fingerprint": {"num_perm": None}, "publisher": [], "index": {"path": None}}),
        ]
    raise ValueError(f"unknown target {target!r}")


# -- checks --------------------------------------------------------------------------------------


class InputTimeout(BaseException):
    """Raised by the per-input alarm (a BaseException, so ``except Exception`` in the code under test lets it by)."""


@dataclass
class Problem:
    """An offset outside the text (``outside``) or offsets that disagree or go backwards (``inconsistent``)."""

    category: str
    message: str


@dataclass
class Context:
    """What the checks need, made once per process."""

    scratch: Path
    registry: Any
    params: Any
    publisher: str | None
    allowed: tuple[type[BaseException], ...]


@cache
def _modules() -> dict[str, Any]:
    """The provenance functions under test (imported on first use, so ``--help`` stays fast)."""
    from provenance import analysis, engine, errors, rules
    from provenance.credits import claims as attribution
    from provenance.documents import loaders, model
    from provenance.index import codec
    from provenance.params import FingerprintParams
    from provenance.text import normalize, offsets

    return {"load_file": loaders.load_file, "load_paths": loaders.load_paths, "Article": model.Article,
            "Link": model.Link, "analyse": analysis.analyse, "credit_spans": attribution.credit_spans,
            "resolve_claims": attribution.resolve_claims, "indexed_doc": engine.indexed_doc,
            "registry_from_rules": engine.registry_from_rules, "pack_text": codec.pack_text,
            "normalise": normalize.normalise, "encode_offsets": offsets.encode_offsets, "OffsetMap": offsets.OffsetMap,
            "load_rules": rules.load_rules, "parse_rules": rules.parse_rules, "ProvenanceError": errors.ProvenanceError,
            "FingerprintParams": FingerprintParams, "package": Path(analysis.__file__).parent}


def make_context(scratch: Path) -> Context:
    m = _modules()
    rules = m["load_rules"](SAMPLE / "provenance.toml") if (SAMPLE / "provenance.toml").exists() else None
    registry = m["registry_from_rules"](rules) if rules is not None else None
    if registry is not None:
        for agency in ("Reuters", "Associated Press", "AP", "AFP", "新华社", "中央社", "Xinhua"):
            registry.add(agency)
    scratch.mkdir(parents=True, exist_ok=True)
    return Context(scratch, registry, m["FingerprintParams"](), getattr(rules, "publisher", None),
                   (m["ProvenanceError"],))


def _span_problems(what: str, span: tuple[int, int], length: int) -> list[Problem]:
    start, end = span
    if not 0 <= start <= end <= length:
        return [Problem("outside", f"{what} span {span} outside 0..{length}")]
    return []


def check_normalized(normalized: Any, text: str, spans: int = 16) -> list[Problem]:
    """Offsets of both levels inside the text and in order, spans mapped inside and monotonically,
    and the stored offset map equal to the offsets it stores."""
    import numpy as np

    m = _modules()
    length = len(text)
    problems: list[Problem] = []
    if normalized.loaded != text:
        problems.append(Problem("inconsistent", "Normalized.loaded is not the text normalised"))
    for level, chars, offsets in (("mid", normalized.mid, normalized.mid_off), ("norm", normalized.norm, normalized.norm_off)):
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.size != len(chars):
            problems.append(Problem("inconsistent", f"{level}: {offsets.size} offsets for {len(chars)} characters"))
            continue
        if offsets.size and (int(offsets.min()) < 0 or int(offsets.max()) >= length):
            bad = int(np.flatnonzero((offsets < 0) | (offsets >= length))[0])
            problems.append(Problem("outside", f"{level}[{bad}] maps to {int(offsets[bad])}, text has {length} characters"))
        if offsets.size > 1 and bool((np.diff(offsets) < 0).any()):
            bad = int(np.flatnonzero(np.diff(offsets) < 0)[0])
            problems.append(Problem("inconsistent", f"{level} offsets go backwards at {bad}: "
                                                    f"{int(offsets[bad])} then {int(offsets[bad + 1])}"))
    size = len(normalized.norm)
    if problems or size == 0:
        return problems
    # Spans: inside the text, and monotone (a later or longer span never maps to an earlier one).
    points = sorted({0, size, size // 2, *(((k * 7919) % (size + 1)) for k in range(spans))})
    pairs = [(a, b) for a, b in itertools.pairwise(points)] + [(p, p) for p in points[:4]] + [(0, size)]
    mapped = {pair: normalized.loaded_span(*pair) for pair in pairs}
    for pair, span in mapped.items():
        problems += _span_problems(f"norm{list(pair)} →", span, length)
    ordered = [mapped[pair] for pair in pairs if pair[0] < pair[1] and pair != (0, size)]
    for (s1, e1), (s2, e2) in itertools.pairwise(ordered):
        if s2 < s1 or e2 < e1:
            problems.append(Problem("inconsistent", f"spans map out of order: {(s1, e1)} before {(s2, e2)}"))
            break
    stored = m["OffsetMap"](m["encode_offsets"](normalized.norm_off), size)
    for position in sorted({0, size - 1, *(((k * 104729) % size) for k in range(spans))}):
        if stored[position] != int(normalized.norm_off[position]):
            problems.append(Problem("inconsistent", f"stored offset map gives {stored[position]} at {position}, "
                                                    f"the normaliser {int(normalized.norm_off[position])}"))
            break
    for pair in pairs:
        if pair[0] < pair[1] and stored.span(*pair) != mapped[pair]:
            problems.append(Problem("inconsistent", f"stored offset map places norm{list(pair)} at "
                                                    f"{stored.span(*pair)}, the normaliser at {mapped[pair]}"))
            break
    return problems


def check_analysis(article: Any, ctx: Context) -> tuple[list[Problem], Any]:
    """``analyse`` one article; every claim, person, block and credit span inside its text."""
    m = _modules()
    analysis = m["analyse"](article, ctx.params, ctx.registry, publisher=ctx.publisher)
    text = article.text
    problems = check_normalized(analysis.normalized, text)
    for claim in analysis.attribution.claims:
        problems += _span_problems(f"claim {claim.text[:30]!r}", claim.span, len(text))
        if claim.kind != "meta" and claim.span != (0, 0) and text[claim.span[0] : claim.span[1]] != claim.text:
            problems.append(Problem("inconsistent", f"claim text {claim.text[:30]!r} is not the text at {claim.span}"))
    for person in analysis.attribution.people:
        problems += _span_problems(f"person {person.name[:30]!r}", person.span, len(text))
    for block in analysis.blocks:
        problems += _span_problems(f"{block.kind} block", (block.start, block.end), len(text))
    _, spans = m["credit_spans"](analysis.normalized, analysis.attribution)
    for span in spans:
        problems += _span_problems("credit", tuple(span), len(text))
    if ctx.registry is not None:
        m["resolve_claims"](analysis.attribution, ctx.registry)
    return problems, analysis


def materialise(inp: FuzzInput, scratch: Path) -> Path:
    """Write an input's files under ``scratch`` (emptied first); the path to load."""
    for child in scratch.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    for name, data in inp.files.items():
        path = scratch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return scratch / inp.entry


def run_check(inp: FuzzInput, ctx: Context, path: Path) -> list[Problem]:
    """Run one input through its target; raises whatever the code under test raises."""
    m = _modules()
    if inp.target == "loaders":
        articles = list(m["load_paths"]([path])) if inp.options.get("walk") else m["load_file"](path)
        problems: list[Problem] = []
        if not articles:
            problems.append(Problem("inconsistent", "the loader returned no article (a bad file must give one with .error)"))
        for article in articles[:MAX_DOWNSTREAM]:
            if not isinstance(article.text, str) or (article.error is None and not article.text.strip()):
                problems.append(Problem("inconsistent", f"readable article with text {article.text!r:.40}"))
                continue
            if article.error is None:  # the way index build takes a readable article
                found, analysis = check_analysis(article, ctx)
                problems += found
                doc = m["indexed_doc"](article, analysis, ctx.params)
                m["pack_text"](doc.text)
                m["pack_text"](doc.screen)
        return problems
    if inp.target == "normalise":
        text = inp.text()
        return check_normalized(m["normalise"](text), text)
    if inp.target == "credits":
        meta = dict(inp.options.get("meta") or {})
        links = [m["Link"](text=t, href=h) for t, h in inp.options.get("links") or ()]
        fmt = "html" if meta or links else "txt"
        article = m["Article"](id="fuzz", path="fuzz.txt", text=inp.text(), meta=meta, links=links, format=fmt)
        return check_analysis(article, ctx)[0]
    if inp.target == "rules":
        if "mapping" in inp.options:
            rules = m["parse_rules"](inp.options["mapping"], inp.text(), str(path))
            return [] if rules.path == str(path) else [Problem("inconsistent", "parse_rules lost the rules' path")]
        rules = m["load_rules"](path, strict=bool(inp.options.get("strict")))
        if rules.path is None:
            return [Problem("inconsistent", "load_rules returned rules without their path")]
        return []
    raise ValueError(f"unknown target {inp.target!r}")


# -- running -------------------------------------------------------------------------------------


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`InputTimeout` in the block after ``seconds`` of CPU time (main thread, POSIX only):
    CPU time, not wall-clock, so other processes on a shared machine do not make an input time out.
    The alarm repeats every 0.2 s until the block ends and holds its fire inside code where Python
    would print and drop the exception (hypothesis's garbage-collection callback, ``__del__``)."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and _main_thread()
    if not usable:
        yield
        return
    armed = [True]

    def fire(signum: int, frame: Any) -> None:
        code = frame.f_code if frame is not None else None
        if code is not None and (code.co_name in ("__del__", "gc_callback") or "hypothesis" in code.co_filename):
            return
        if armed[0]:
            raise InputTimeout(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGPROF, fire)
    signal.setitimer(signal.ITIMER_PROF, seconds, 0.2)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def memory_limit(megabytes: int) -> Iterator[None]:
    """Cap the address space at its present size plus ``megabytes`` MiB for the block (Linux)."""
    size = _vm_size()
    if megabytes <= 0 or size is None or not hasattr(resource, "RLIMIT_AS"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    budget = size + megabytes * 2**20
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (budget, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _short_path(filename: str, package: Path) -> str:
    path = Path(filename)
    with contextlib.suppress(ValueError):
        return "provenance/" + path.relative_to(package).as_posix()
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return "/".join(parts[parts.index(marker) + 1 :])
    for k, part in enumerate(parts):
        if part.startswith("python3"):
            return "/".join(parts[k + 1 :])
    return filename


def describe_exception(exc: BaseException) -> dict[str, str]:
    """Type, message, the deepest provenance frame (``location``) and the frame that raised (``raised_at``)."""
    package = _modules()["package"]
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).is_relative_to(package)]
    where = ours[-1] if ours else (frames[-1] if frames else None)
    last = frames[-1] if frames else None
    return {
        "type": type(exc).__name__,
        "message": " ".join(str(exc).split())[:300],
        "location": f"{_short_path(where.filename, package)}:{where.lineno} ({where.name})" if where else "?",
        "raised_at": f"{_short_path(last.filename, package)}:{last.lineno} ({last.name})" if last else "?",
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-6000:],
    }


@dataclass
class Shard:
    target: str
    index: int
    n: int
    seed: int


@dataclass
class Finding:
    """One recorded failure: an uncaught exception, an offset problem, a crash or the slowest input."""

    target: str
    shard: int
    position: int
    kind: str
    info: dict[str, Any]
    input: FuzzInput | None = None
    seconds: float = 0.0


@dataclass
class ShardResult:
    shard: Shard
    inputs: int = 0
    seconds: float = 0.0  # wall-clock, all inputs
    cpu_seconds: float = 0.0
    uncaught: int = 0
    outside: int = 0
    inconsistent: int = 0
    timeouts: int = 0
    crashes: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # per distinct failure key
    kinds: Counter[str] = field(default_factory=Counter)  # inputs per generator branch
    kind_seconds: Counter[str] = field(default_factory=Counter)
    failures: list[Finding] = field(default_factory=list)  # first few per distinct key
    problems: list[Finding] = field(default_factory=list)
    slow: list[Finding] = field(default_factory=list)  # the slowest inputs, slowest first
    over_max: int = 0  # inputs slower than --max-seconds
    peak_rss_mb: float = 0.0


def failure_key(target: str, info: dict[str, Any]) -> str:
    return f"{target} | {info['type']} | {info['location']} | {info['raised_at']}"


def shard_seed(seed: int, target: str, index: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{target}:{index}".encode()).digest()[:8], "big")


def plan(targets: list[str], n: int, seed: int) -> list[Shard]:
    """Shards of at most SHARD_SIZE inputs: the same ones whatever the number of jobs or budget."""
    shards: list[Shard] = []
    for k, target in enumerate(targets):
        count = n // len(targets) + (1 if k < n % len(targets) else 0)
        for index, start in enumerate(range(0, count, SHARD_SIZE)):
            shards.append(Shard(target, index, min(SHARD_SIZE, count - start), shard_seed(seed, target, index)))
    # Targets take turns, so a --budget cut (or an unlucky order) leaves none of them out.
    return sorted(shards, key=lambda shard: (shard.index, targets.index(shard.target)))


@dataclass
class Options:
    max_seconds: float = 1.0
    timeout: float = 10.0
    mem_mb: int = 1024
    bomb_mb: int = 200
    keep: int = 5
    budget: float = 0.0  # seconds after which no further shard starts (0: none)


_CONTEXTS: dict[Path, Context] = {}


def _context(scratch: Path) -> Context:
    if scratch not in _CONTEXTS:
        _CONTEXTS[scratch] = make_context(scratch)
    return _CONTEXTS[scratch]


@dataclass
class Outcome:
    """What one input did: CPU seconds (what ``--max-seconds`` judges), wall seconds, offset
    problems, the uncaught exception if any, whether the alarm stopped it."""

    cpu: float
    wall: float
    problems: list[Problem]
    error: BaseException | None
    timed_out: bool


def execute(inp: FuzzInput, ctx: Context, timeout: float) -> Outcome:
    """Run one input through its target, timed, under the alarm."""
    path = materialise(inp, ctx.scratch)
    wall, cpu = time.perf_counter(), time.process_time()
    problems: list[Problem] = []
    error: BaseException | None = None
    timed_out = False
    try:
        with alarm(timeout):
            problems = run_check(inp, ctx, path)
    except InputTimeout:
        timed_out = True
    except Exception as exc:  # every exception is a finding, but ConfigError from the rules
        if not (inp.target == "rules" and isinstance(exc, ctx.allowed)):
            error = exc
    return Outcome(time.process_time() - cpu, time.perf_counter() - wall, problems, error, timed_out)


def run_shard(shard: Shard, options: Options, scratch: Path, skip: frozenset[int] = frozenset(),
              inflight: Path | None = None) -> ShardResult:
    """Run ``shard.n`` inputs for ``shard.target``: the first shard of a target starts with the
    catalogue of known hostile inputs, the rest are generated by hypothesis."""
    ctx = _context(scratch)
    result = ShardResult(shard)
    seen: set[str] = set()

    def run(position: int, inp: FuzzInput) -> None:
        if position in skip:
            return
        if inflight is not None:
            inflight.write_text(json.dumps({"position": position}), encoding="ascii")
            inp.save(inflight.parent / "current", {})
        outcome = execute(inp, ctx, options.timeout)
        seconds, problems, error, timed_out = outcome.cpu, outcome.problems, outcome.error, outcome.timed_out
        kind = "/".join(inp.kind.split("/")[:2])
        result.inputs += 1
        result.seconds += outcome.wall
        result.cpu_seconds += seconds
        result.kinds[kind] += 1
        result.kind_seconds[kind] += seconds
        result.timeouts += timed_out
        result.over_max += seconds > options.max_seconds
        if len(result.slow) < options.keep or seconds > result.slow[-1].seconds:
            result.slow.append(Finding(shard.target, shard.index, position, inp.kind,
                                       {"timed_out": timed_out, "size": inp.size(), "wall": outcome.wall}, inp, seconds))
            result.slow = sorted(result.slow, key=lambda f: -f.seconds)[: options.keep]
        if error is not None:
            info = describe_exception(error)
            key = failure_key(shard.target, info)
            result.uncaught += 1
            result.counts[key] += 1
            if key not in seen and len(seen) < 50:
                seen.add(key)
                result.failures.append(Finding(shard.target, shard.index, position, inp.kind, info, inp, seconds))
        for category in sorted({problem.category for problem in problems}):
            setattr(result, category, getattr(result, category) + 1)
        if problems and len(result.problems) < options.keep:
            info = {"type": problems[0].category, "message": problems[0].message, "all": [p.message for p in problems[:5]]}
            result.problems.append(Finding(shard.target, shard.index, position, inp.kind, info, inp, seconds))

    seeds = catalogue(shard.target, options.bomb_mb)[: shard.n] if shard.index == 0 else []
    positions = itertools.count(len(seeds))

    @hypothesis_seed(shard.seed)
    @settings(max_examples=max(1, shard.n - len(seeds)), phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(strategy_for(shard.target, options.bomb_mb))
    def generated(inp: FuzzInput) -> None:
        position = next(positions)
        if position < shard.n:
            run(position, inp)

    with memory_limit(options.mem_mb):
        for position, inp in enumerate(seeds):
            run(position, inp)
        if shard.n > len(seeds):
            generated()
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def warm_up(scratch: Path) -> None:
    """Import everything and fill the lazy tables once, before any limit is set or time taken."""
    ctx = _context(scratch)
    seeds = [
        FuzzInput("loaders", "warm", {"a.html": b"<html><body><p>\xe6\x9d\xa5\xe6\xba\x90 x</p></body></html>"}, "a.html"),
        FuzzInput("loaders", "warm", {"a.txt": "來源：中央社\n隨身碟 區(qū) ＡＢＣ".encode("big5", "replace")}, "a.txt"),
        _text_input("credits", "warm", "新華社北京7月15日電\n隨身碟\u200b區(qū)（來源：西嶺網）\nHELSINKI (AP) — x"),
        FuzzInput("rules", "warm", {"provenance.toml": b'publisher = "x"\n'}, "provenance.toml", {"strict": True}),
    ]
    for inp in seeds:
        execute(inp, ctx, 0)


# -- parallel workers ------------------------------------------------------------------------------


def _worker(conn: Any, options: Options, work: Path, number: int) -> None:
    scratch = work / f"worker-{number}" / "scratch"
    warm_up(scratch)
    while True:
        task = conn.recv()
        if task is None:
            break
        shard, skip = task
        inflight = work / f"worker-{number}" / "inflight.json"
        conn.send(run_shard(shard, options, scratch, frozenset(skip), inflight))


def _crash_finding(shard: Shard, exitcode: int | None, work: Path, number: int) -> tuple[Finding, int]:
    folder = work / f"worker-{number}"
    position = -1
    with contextlib.suppress(OSError, ValueError, KeyError):
        position = json.loads((folder / "inflight.json").read_text(encoding="ascii"))["position"]
    inp = None
    with contextlib.suppress(OSError, ValueError, KeyError):
        inp = FuzzInput.load(folder / "current")
    signal_name = ""
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            signal_name = signal.Signals(-exitcode).name
    info = {"type": "crash", "message": f"worker died (exit code {exitcode} {signal_name})".strip(),
            "location": "?", "raised_at": "?", "traceback": ""}
    return Finding(shard.target, shard.index, position, inp.kind if inp else "?", info, inp), position


def run_parallel(shards: list[Shard], options: Options, jobs: int, work: Path,
                 progress: Callable[[ShardResult], None] | None = None) -> tuple[list[ShardResult], list[Finding]]:
    """Run shards in ``jobs`` worker processes; a dead worker's shard runs again without the input it
    died on. No shard starts once ``options.budget`` seconds have passed."""
    from multiprocessing.connection import wait

    began = time.monotonic()

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pending: deque[tuple[Shard, tuple[int, ...]]] = deque((shard, ()) for shard in shards)
    results: list[ShardResult] = []
    crashes: list[Finding] = []
    workers: dict[Any, tuple[Any, int, tuple[Shard, tuple[int, ...]] | None]] = {}
    numbers = itertools.count()

    def start() -> None:
        number = next(numbers)
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child, options, work, number), daemon=True)
        process.start()
        child.close()
        task = pending.popleft()
        parent.send(task)
        workers[parent] = (process, number, task)

    for _ in range(min(jobs, len(pending))):
        start()
    while workers:
        ready = wait(list(workers) + [process.sentinel for process, _, _ in workers.values()])
        for conn in list(workers):
            process, number, task = workers[conn]
            if conn not in ready and process.sentinel not in ready:
                continue
            try:
                result = conn.recv()
            except (EOFError, OSError):
                process.join()
                assert task is not None
                shard, skip = task
                finding, position = _crash_finding(shard, process.exitcode, work, number)
                crashes.append(finding)
                del workers[conn]
                if position >= 0 and len(skip) < MAX_CRASHES:
                    pending.appendleft((shard, (*skip, position)))
                if pending and not _over_budget(began, options):
                    start()
                continue
            results.append(result)
            if progress:
                progress(result)
            if pending and not _over_budget(began, options):
                task = pending.popleft()
                conn.send(task)
                workers[conn] = (process, number, task)
            else:
                conn.send(None)
                process.join()
                del workers[conn]
    return results, crashes


def _over_budget(began: float, options: Options) -> bool:
    return options.budget > 0 and time.monotonic() - began > options.budget


# -- report ----------------------------------------------------------------------------------------


@dataclass
class TargetSummary:
    inputs: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    uncaught: int = 0
    outside: int = 0
    inconsistent: int = 0
    timeouts: int = 0
    crashes: int = 0
    peak_rss_mb: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    kind_seconds: Counter[str] = field(default_factory=Counter)
    slow: list[Finding] = field(default_factory=list)
    over_max: int = 0


def _minimal_literal(inp: FuzzInput | None, limit: int = 400) -> str | None:
    if inp is None:
        return None
    data = inp.files.get(inp.entry) or next((d for name, d in inp.files.items() if "/article" in name), b"")
    literal = repr(inp.text()) if inp.target in ("normalise", "credits") else repr(data)
    extra = {k: v for k, v in inp.options.items() if k != "strict" and v}
    if extra:
        literal += f" with {json.dumps(extra, ensure_ascii=False, default=str)}"
    return literal if len(literal) <= limit else literal[: limit - 40] + f"… ({len(data)} bytes)"


def minimise(inp: FuzzInput, key: str, ctx: Context, options: Options, budget: float) -> FuzzInput:
    """Drop chunks of the entry file (bytes, or characters for text targets) while the same failure
    (type and locations) still happens; stops after ``budget`` seconds."""
    text_mode = inp.target in ("normalise", "credits")
    entry = inp.entry if inp.entry in inp.files else next(name for name in inp.files if not name.endswith("source.toml"))
    current: Any = inp.files[entry].decode("utf-8", "surrogatepass") if text_mode else inp.files[entry]
    deadline = time.monotonic() + budget

    def build(value: Any) -> FuzzInput:
        data = value.encode("utf-8", "surrogatepass") if text_mode else value
        return FuzzInput(inp.target, inp.kind, {**inp.files, entry: data}, inp.entry, inp.options)

    def fails(value: Any) -> bool:
        error = execute(build(value), ctx, min(options.timeout, 5.0)).error
        return error is not None and failure_key(inp.target, describe_exception(error)) == key

    chunk = max(1, len(current) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        position, changed = 0, False
        while position < len(current) and time.monotonic() < deadline:
            candidate = current[:position] + current[position + chunk :]
            if fails(candidate):
                current, changed = candidate, True
            else:
                position += chunk
        if not changed:
            chunk //= 2
    return build(current)


def summarise(results: list[ShardResult], crashes: list[Finding], targets: list[str], options: Options, out: Path,
              total_seconds: float, seed: int, n: int, jobs: int, minimise_seconds: float = 0.0) -> dict[str, Any]:
    """Merge shard results, save repros (first few distinct failures, offset problems, slowest inputs)."""
    results = sorted(results, key=lambda r: (targets.index(r.shard.target), r.shard.index))
    summaries = {target: TargetSummary() for target in targets}
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    problems: list[Finding] = []
    for result in results:
        summary = summaries[result.shard.target]
        summary.inputs += result.inputs
        summary.seconds += result.seconds
        summary.cpu_seconds += result.cpu_seconds
        summary.uncaught += result.uncaught
        summary.outside += result.outside
        summary.inconsistent += result.inconsistent
        summary.timeouts += result.timeouts
        summary.kinds.update(result.kinds)
        summary.kind_seconds.update(result.kind_seconds)
        summary.peak_rss_mb = max(summary.peak_rss_mb, result.peak_rss_mb)
        counts.update(result.counts)
        for finding in result.failures:
            first.setdefault(failure_key(finding.target, finding.info), finding)
        problems.extend(result.problems)
        summary.slow = sorted(summary.slow + result.slow, key=lambda f: -f.seconds)[: options.keep]
        summary.over_max += result.over_max
    for crash in crashes:
        summaries[crash.target].crashes += 1
        counts[failure_key(crash.target, crash.info)] += 1
        first.setdefault(failure_key(crash.target, crash.info), crash)
    out.mkdir(parents=True, exist_ok=True)
    ctx: Context | None = None
    failures = []
    per_target: Counter[str] = Counter()
    for key, finding in first.items():
        per_target[finding.target] += 1
        entry: dict[str, Any] = {
            "target": finding.target, "type": finding.info["type"], "message": finding.info["message"],
            "location": finding.info["location"], "raised_at": finding.info["raised_at"], "count": counts[key],
            "kind": finding.kind, "seconds": round(finding.seconds, 3), "repro": None, "minimal": None,
        }
        if finding.input is not None:
            folder = out / f"{finding.target}-{finding.info['type']}-{per_target[finding.target]}"
            entry["repro"] = str(finding.input.save(folder, {"failure": {k: v for k, v in finding.info.items()}}))
            if finding.info.get("traceback"):
                (folder / "traceback.txt").write_text(finding.info["traceback"], encoding="utf-8", errors="replace")
            smallest = finding.input
            if minimise_seconds > 0 and finding.info["type"] != "crash" and finding.seconds < 5:
                ctx = ctx or _context(out / "minimise-scratch")
                with memory_limit(options.mem_mb):
                    smallest = minimise(finding.input, key, ctx, options, minimise_seconds)
                smallest.save(folder / "minimal", {"failure": finding.info["type"]})
                entry["minimised"] = True
            entry["minimal"] = _minimal_literal(smallest)
        failures.append(entry)
    if ctx is not None:
        shutil.rmtree(ctx.scratch, ignore_errors=True)
    offset_problems = []
    for k, finding in enumerate(problems[: options.keep * len(targets)]):
        folder = out / f"{finding.target}-offsets-{k + 1}"
        assert finding.input is not None
        offset_problems.append({"target": finding.target, "category": finding.info["type"],
                                "message": finding.info["message"], "kind": finding.kind,
                                "repro": str(finding.input.save(folder, {"problems": finding.info["all"]})),
                                "minimal": _minimal_literal(finding.input)})
    table: dict[str, Any] = {}
    for target, summary in summaries.items():
        slow = []
        for k, finding in enumerate(summary.slow):
            assert finding.input is not None
            folder = out / f"{target}-slow-{k + 1}"
            shutil.rmtree(folder, ignore_errors=True)
            slow.append({"seconds": round(finding.seconds, 3), "wall_seconds": round(finding.info.get("wall", 0.0), 3),
                         "kind": finding.kind,
                         "timed_out": finding.info.get("timed_out", False), "bytes": finding.info.get("size"),
                         "repro": str(finding.input.save(folder, {"seconds": finding.seconds}))})
        table[target] = {
            "inputs": summary.inputs + summary.crashes, "seconds": round(summary.seconds, 2), "cpu_seconds": round(summary.cpu_seconds, 2),
            "per_1000_seconds": round(1000 * summary.seconds / summary.inputs, 2) if summary.inputs else None,
            "uncaught": summary.uncaught + summary.crashes,
            "distinct_uncaught": sum(1 for key in counts if key.startswith(f"{target} |")),
            "offsets_outside": summary.outside, "offsets_inconsistent": summary.inconsistent,
            "timeouts": summary.timeouts, "crashes": summary.crashes, "over_max_seconds": summary.over_max,
            "slowest": slow[0] if slow else None, "slow": slow,
            "peak_rss_mb": round(summary.peak_rss_mb, 1), "kinds": {k: [v, round(summary.kind_seconds[k], 2)] for k, v in sorted(summary.kinds.items())},
        }
    too_slow = [t for t, row in table.items() if row["slowest"] and row["slowest"]["seconds"] > options.max_seconds]
    failed = any(row["uncaught"] or row["offsets_outside"] or row["offsets_inconsistent"] for row in table.values())
    provenance_path = str(_modules()["package"])
    return {
        "schema": SCHEMA, "seed": seed, "n": n, "jobs": jobs, "targets": table, "failures": failures,
        "offset_problems": offset_problems, "too_slow": too_slow, "max_seconds": options.max_seconds,
        "bomb_mb": options.bomb_mb, "mem_mb": options.mem_mb, "timeout": options.timeout,
        "total_seconds": round(total_seconds, 1), "out": str(out), "provenance": provenance_path,
        "inputs": sum(row["inputs"] for row in table.values()),
        "stopped_early": sum(row["inputs"] for row in table.values()) < n,
        "exit_code": 1 if failed or too_slow else 0,
    }


def run_fuzz(targets: list[str], n: int, seed: int = 0, jobs: int = 0, out: Path | None = None,
             options: Options | None = None, minimise_seconds: float = 0.0,
             progress: Callable[[ShardResult], None] | None = None) -> dict[str, Any]:
    """The whole run: plan shards, run them (in this process when ``jobs`` is 0), summarise."""
    options = options or Options()
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="provenance-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=out))
    shards = plan(targets, n, seed)
    began = time.perf_counter()
    monotonic = time.monotonic()
    try:
        if jobs <= 0:
            scratch = work / "scratch"
            warm_up(scratch)
            results = []
            for shard in shards:
                if _over_budget(monotonic, options):
                    break
                results.append(run_shard(shard, options, scratch))
                if progress:
                    progress(results[-1])
            crashes: list[Finding] = []
        else:
            _modules()  # imported before forking: the workers share the pages
            results, crashes = run_parallel(shards, options, jobs, work, progress)
        total = time.perf_counter() - began
        return summarise(results, crashes, targets, options, out, total, seed, n, jobs, minimise_seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def format_table(report: dict[str, Any]) -> str:
    lines = [f"provenance fuzz — seed {report['seed']}, {report['n']} inputs, jobs {report['jobs']}, "
             f"bomb {report['bomb_mb']} MiB, memory limit +{report['mem_mb']} MiB ({report['provenance']})", ""]
    header = (f"{'target':<10} {'inputs':>7} {'uncaught':>8} {'distinct':>8} {'outside':>7} {'inconsist':>9} "
              f"{'timeouts':>8} {'>max':>5} {'slowest':>8} {'s/1000':>7} {'peak MB':>7}")
    lines += [header, "-" * len(header)]
    for target, row in report["targets"].items():
        slowest = row["slowest"]["seconds"] if row["slowest"] else 0.0
        lines.append(f"{target:<10} {row['inputs']:>7} {row['uncaught']:>8} {row['distinct_uncaught']:>8} "
                     f"{row['offsets_outside']:>7} {row['offsets_inconsistent']:>9} {row['timeouts']:>8} "
                     f"{row['over_max_seconds']:>5} {slowest:>8.3f} {row['per_1000_seconds'] or 0:>7.2f} "
                     f"{row['peak_rss_mb']:>7.0f}")
    lines += ["", "uncaught: exceptions (any but ConfigError from rules) and worker crashes; outside/inconsist: inputs "
              "whose offsets fall outside the text / disagree or go backwards;",
              f">max: inputs over {report['max_seconds']} s of CPU; slowest: CPU seconds of the slowest input; "
              "s/1000: wall seconds per 1,000 inputs (running them, not generating them); peak MB: worker RSS"]
    lines += ["", f"total time {report['total_seconds']} s; repros in {report['out']}"]
    if report["stopped_early"]:
        lines.append(f"STOPPED EARLY: {report['inputs']} of {report['n']} inputs run (--budget reached, or a shard "
                     f"given up after {MAX_CRASHES} crashes)")
    if report["failures"]:
        lines += ["", "uncaught exceptions (each distinct type and location, first input saved):"]
        for f in report["failures"]:
            lines.append(f"  [{f['target']}] {f['type']} ×{f['count']} at {f['location']}"
                         + (f" (raised in {f['raised_at']})" if f["raised_at"] != f["location"] else ""))
            lines.append(f"      {f['message'][:160]}")
            lines.append(f"      input: {f['kind']}; repro: {f['repro']}")
            if f.get("minimal"):
                lines.append(f"      {'minimal' if f.get('minimised') else 'input'}: {f['minimal'][:200]}")
    if report["offset_problems"]:
        lines += ["", "offset problems:"]
        for p in report["offset_problems"]:
            lines.append(f"  [{p['target']}] {p['category']}: {p['message'][:160]} ({p['kind']}); repro: {p['repro']}")
    lines += ["", f"slowest inputs (inputs over {report['max_seconds']} s per target in brackets):"]
    for target, row in report["targets"].items():
        for k, s in enumerate(row["slow"][:3]):
            flag = " TIMED OUT" if s["timed_out"] else (" > max" if s["seconds"] > report["max_seconds"] else "")
            name = f"{target} [{row['over_max_seconds']}]" if k == 0 else ""
            lines.append(f"  {name:<16} {s['seconds']:7.3f} s{flag} ({s['kind']}, {s['bytes']} bytes): {s['repro']}")
    lines += ["", f"exit code {report['exit_code']}"]
    return "\n".join(lines)


def replay(folder: Path, options: Options, profile: bool = False) -> int:
    """Run one saved input again and print what happens."""
    inp = FuzzInput.load(folder)
    scratch = Path(tempfile.mkdtemp(prefix="provenance-replay-"))
    try:
        ctx = _context(scratch)
        with memory_limit(options.mem_mb):
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                outcome = profiler.runcall(execute, inp, ctx, options.timeout)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"provenance|json|yaml|toml|gzip|re\.|zlib", 25)
            else:
                outcome = execute(inp, ctx, options.timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{inp.target} input {inp.kind} ({inp.size()} bytes): {outcome.cpu:.3f} s CPU, {outcome.wall:.3f} s wall"
          f"{' (timed out)' if outcome.timed_out else ''}")
    for problem in outcome.problems:
        print(f"{problem.category}: {problem.message}")
    if outcome.error is not None:
        print(describe_exception(outcome.error)["traceback"])
    failed = outcome.error is not None or outcome.problems or outcome.timed_out or outcome.cpu > options.max_seconds
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="inputs in all, split evenly over the targets (10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset of " + ",".join(TARGETS))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes; 0 runs in this process (2)")
    parser.add_argument("--out", type=Path, default=None, help="folder for repros and slowest inputs (a new temp folder)")
    parser.add_argument("--max-seconds", type=float, default=1.0, help="CPU time allowed for one input (1 s)")
    parser.add_argument("--timeout", type=float, default=10.0, help="an input using more CPU time is stopped (10 s)")
    parser.add_argument("--mem-mb", type=int, default=1024, help="address space allowed above a worker's size (1024 MiB)")
    parser.add_argument("--bomb-mb", type=int, default=200, help="size of the largest gzip bomb, decompressed (200 MiB)")
    parser.add_argument("--budget", type=float, default=0.0, metavar="SECONDS",
                        help="start no further shard after SECONDS (0: run all); the report says so")
    parser.add_argument("--keep", type=int, default=5, help="slowest inputs and offset problems saved per target (5)")
    parser.add_argument("--minimise", type=float, default=0.0, metavar="SECONDS",
                        help="shrink each saved failure for up to SECONDS (0: off)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    parser.add_argument("--replay", type=Path, default=None, metavar="DIR", help="run one saved repro folder again")
    parser.add_argument("--profile", action="store_true", help="with --replay: where the time goes (cProfile)")
    args = parser.parse_args(argv)
    options = Options(max_seconds=args.max_seconds, timeout=args.timeout, mem_mb=args.mem_mb, bomb_mb=args.bomb_mb,
                      keep=args.keep, budget=args.budget)
    if args.replay:
        return replay(args.replay, options, args.profile)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown or not targets or args.n < len(targets):
        parser.error(f"targets must be among {', '.join(TARGETS)} and --n at least their number")

    def progress(result: ShardResult) -> None:  # on stderr, so --json output stays one object
        print(f"  {result.shard.target} shard {result.shard.index}: {result.inputs} inputs in {result.seconds:.1f} s, "
              f"{result.uncaught} uncaught", file=sys.stderr, flush=True)

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    report = run_fuzz(targets, args.n, args.seed, args.jobs, args.out, options, args.minimise, progress)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else format_table(report))
    return int(report["exit_code"])


if __name__ == "__main__":
    sys.exit(main())
