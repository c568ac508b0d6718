"""A rules file of many sources: names normalised in one pass equal each name's own key, a registry
built in bulk equals one built name by name, and every source still says where it is written."""

from __future__ import annotations

import pickle
from pathlib import Path

from corpus_kit import write
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.names import NameRegistry
from provenance.rules import load_rules
from provenance.text.normalize import normalise_name, normalise_names

# Characters the normaliser treats specially: Traditional and Simplified Han, pinyin annotations
# and their brackets, full-width forms, invisible characters, combining marks, outlet suffixes.
_PIECES = st.sampled_from([
    "新華社", "新华社", "區(qū)", "區（qū）", "人民網", "日報", "软体", "軟體", "隨身碟", "U盘", "ＢＢＣ", "Ｎｅｗｓ",
    "\u200b", "\u00ad", "e\u0301", "The ", " News", "-", "·", "　", " ", ".com", "Reuters", "AP", "（", "）",
    "微信公众号", "客户端", "x", "1", "\t",
])
NAMES = st.lists(st.lists(_PIECES | st.text(max_size=3), max_size=6).map("".join), max_size=40)


@settings(max_examples=150, deadline=None)
@given(NAMES)
def test_names_normalised_together_equal_each_alone(names: list[str]) -> None:
    assert normalise_names(names) == [normalise_name(name) for name in names]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES.map(lambda n: n[0] if n else "x") | _PIECES, NAMES), min_size=1, max_size=8))
def test_a_registry_built_in_bulk_equals_one_built_name_by_name(outlets: list[tuple[str, list[str]]]) -> None:
    one_by_one = NameRegistry()
    for name, aliases in outlets:
        one_by_one.add(name, aliases, None)
    bulk = NameRegistry()
    bulk.add_many((name, aliases, None) for name, aliases in outlets)
    assert (bulk._exact, bulk._loose, bulk._domains) == (one_by_one._exact, one_by_one._loose, one_by_one._domains)
    assert {k: vars(v) for k, v in bulk.outlets.items()} == {k: vars(v) for k, v in one_by_one.outlets.items()}


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
    assert problems == [f"{path}:15003: unknown setting 'polcy' in [[source]] 'Late'",
                        f"{path}:15004: excerpt_max must be between 0 and 1, not 3 (source 'Late')"]
