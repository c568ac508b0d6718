"""A rules file of many sources: names normalised in one pass equal each name's own key, a registry
built in bulk equals one built name by name, and every source still says where it is written."""

from __future__ import annotations

import pickle
from pathlib import Path
from unittest.mock import patch

from corpus_kit import write
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.credits.names import NameRegistry
from provenance.rules import load_rules
from provenance.text.normalize import normalise_name, normalise_names

# Characters the normaliser treats specially: Traditional and Simplified Han, pinyin annotations
# and their brackets, full-width forms, invisible characters, combining marks, outlet suffixes.
_PIECES = st.sampled_from([
    "新華社", "新华社", "區(qū)", "區（qū）", "人民網", "日報", "软体", "軟體", "隨身碟", "U盘", "ＢＢＣ", "Ｎｅｗｓ",
    "\u200b", "\u00ad", "e\u0301", "The ", " News", "-", "·", "　", " ", ".com", "Reuters", "AP", "（", "）",
    "微信公众号", "客户端", "x", "1", "\t", "𧩼",  # a Han character beyond the BMP (OpenCC converts it)
    "㋀", "⼈",  # compatibility forms whose NFKC holds a Han character (1月, 人)
])
NAMES = st.lists(st.lists(_PIECES | st.text(max_size=3), max_size=6).map("".join), max_size=40)


@settings(max_examples=150, deadline=None)
@given(NAMES)
@example(["新華社", "𧩼"])  # a text with other Han characters is converted as a whole
@example(["𧩼", "㋀"])  # found by Hypothesis: ㋀ became 1月 and the two were converted together
def test_names_normalised_together_equal_each_alone(names: list[str]) -> None:
    with patch("provenance.text.normalize._BULK_NAMES", 2):  # short lists too through the bulk path
        assert normalise_names(names) == [normalise_name(name) for name in names]


def _reference_registry(outlets: list[tuple[str, list[str], str | None]]) -> tuple[dict, dict, dict]:
    """The registry as it was built before bulk loading: one alias at a time, first claim wins,
    variants found by repeating the strip until nothing changes."""
    from provenance.credits.names import _EN_PREFIXES, _EN_SUFFIXES, _ZH_PREFIXES, _ZH_SUFFIXES, domain_of

    def variants(key: str) -> set[str]:
        out, changed = {key}, True
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

    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    domains: dict[str, str] = {}
    for name, aliases, url in outlets:
        for alias in [name, *aliases]:
            domain = domain_of(alias) if "." in alias else None
            if domain:
                domains.setdefault(domain, name)
                continue
            key = normalise_name(alias)
            if not key:
                continue
            exact.setdefault(key, name)
            for variant in variants(key):
                loose.setdefault(variant, name)
        if url and domain_of(url):
            domains.setdefault(domain_of(url), name)
    return exact, loose, domains


_OUTLET = st.tuples(_PIECES | st.text(min_size=1, max_size=4), NAMES,
                    st.none() | st.sampled_from(["https://www.a.example.cn/x", "b.example.com", "http://[bad"]))


@settings(max_examples=80, deadline=None)
@given(st.lists(_OUTLET, min_size=1, max_size=8), st.lists(_OUTLET, max_size=3))
def test_a_registry_built_in_bulk_equals_one_built_alias_by_alias(
        first: list[tuple[str, list[str], str | None]], later: list[tuple[str, list[str], str | None]]) -> None:
    registry = NameRegistry()
    registry.add_many(first)
    for outlet in later:  # added afterwards, as the policy book adds the index's sources
        registry.add(*outlet)
    assert (registry._exact, registry._loose, registry._domains) == _reference_registry(first + later)


def test_every_source_says_where_it_and_its_policy_are_written(tmp_path: Path) -> None:
    blocks = []
    expected = {}
    line = 3
    for k in range(2000):
        policy = k % 3 != 0
        comment = "# a note\n" if k % 7 == 0 else ""
        block = f"[[source]]  # {k}\n{comment}name = \"Outlet {k}\"\naliases = [\"O{k}\"]\n"
        policy_line = line + block.count("\n")
        if policy:
            block += 'policy = "no-reprint"\n'
        expected[f"Outlet {k}"] = (line, policy_line if policy else None)
        blocks.append(block + "\n")
        line += block.count("\n") + 1
    path = write(tmp_path / "provenance.toml", 'publisher = "Me"\n\n' + "".join(blocks))
    rules = load_rules(path)
    revived = pickle.loads(pickle.dumps(rules))  # as worker processes receive them
    for loaded in (rules, revived):
        for rule in loaded.sources:
            header, policy_line = expected[rule.name]
            assert rule.where == f"{path}:{header}"
            assert rule.policy_where == (f"{path}:{policy_line}" if policy_line else "")


def test_problems_in_a_large_file_point_at_their_lines(tmp_path: Path) -> None:
    body = "".join(f'[[source]]\nname = "Outlet {k}"\n\n' for k in range(5000))
    body += '[[source]]\nname = "Late"\npolcy = "free"\nexcerpt_max = 3\n'
    path = write(tmp_path / "provenance.toml", body)
    problems = load_rules(path, strict=False).problems
    assert problems == [f"{path}:15003: unknown setting 'polcy' in [[source]] 'Late'; did you mean 'policy'?",
                        f"{path}:15004: excerpt_max must be between 0 and 1, not 3 (source 'Late')"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["The ", " News", "-", "·", " ", ".com", "Reuters", "AP", "x", "1", "\t", "\r\n", "&",
                                 "'", "(", ")", "@", "\x00", "\x7f", "  "]) | st.text(st.characters(max_codepoint=127),
                                                                                   max_size=4), max_size=8).map("".join))
def test_ascii_names_keyed_by_the_table_as_by_every_stage(name: str) -> None:
    from provenance.text.normalize import normalise

    assert normalise_name(name) == normalise(name).norm.replace(" ", "")
