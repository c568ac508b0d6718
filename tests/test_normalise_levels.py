"""The string path of the normaliser (names, titles, notice sentences) gives what the arrays give:
the same ``mid`` and ``norm``, the same name keys, the same title line keys."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.text.chrome import _title_keys, text_line_keys
from provenance.text.normalize import normalise, normalise_levels, normalise_name

# What each stage acts on: Traditional and Simplified Han (phrases that change length, too),
# pinyin and zhuyin annotations in every bracket, full-width forms, invisible characters,
# combining marks, compatibility forms holding Han characters, look-alike letters, every kind
# of line break, a lone surrogate and a character beyond the BMP.
_PIECES = st.sampled_from([
    "新華社", "新华社", "區(qū)", "區（qū）", "區[qū]", "區〔qu1〕", "區【qū】", "區〖qū〗", "區(ㄑㄩ)", "(WTO)",
    "隨身碟", "U盘", "軟體", "计程车", "ＢＢＣ", "１２", "\u200b", "\u00ad", "e\u0301", "\ufe0f", "㋀", "⼈", "ﬁ",
    "…", "Ⅻ", "асе", "\n", "\r\n", "\u2028", "\x85", "\t", "\f", "　", " ", "  ", ",", "。", "「", "」", "-", "𧩼",
    "\ud800", "Reuters", "AP",
])
TEXTS = st.lists(_PIECES | st.text(max_size=4), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
@example("區(qū)域")  # the annotation goes, then the script changes
@example("隨身碟。軟體")  # a phrase that changes length: its map must fit the text
@example("㋀")  # NFKC brings in a Han character
def test_levels_equal_the_arrays(text: str) -> None:
    normalized = normalise(text)
    assert normalise_levels(text) == (normalized.mid, normalized.norm)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_name_key_is_norm_without_spaces(name: str) -> None:
    assert normalise_name.__wrapped__(name) == normalise(name).norm.replace(" ", "")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
@example("")
@example("Title\u2028second line")  # a break inside: every line keyed
def test_title_keys_equal_line_keys(title: str) -> None:
    assert np.array_equal(_title_keys.__wrapped__(title), text_line_keys(title))


@pytest.mark.parametrize(("title", "lines"), [("Trump meets Putin", 1), ("新華社：會議", 1), ("a\nb", 2), (" ", 1)])
def test_title_keys_one_per_line(title: str, lines: int) -> None:
    assert _title_keys.__wrapped__(title).size == lines


@pytest.mark.parametrize(("text", "mapped", "offsets"), [
    ("abc", "ABC", [0, 1, 2]),  # one for one: offsets as they were
    ("a-b-c", "ABC", [0, 2, 4]),  # removals
    ("a…b", "A...B", [0, 1, 1, 1, 2]),  # an expansion
    ("…-a", "...A", [0, 0, 0, 2]),  # both
    ("", "", []),
])
def test_char_map_paths(text: str, mapped: str, offsets: list[int]) -> None:
    from provenance.text.codepoints import CharMap, to_codepoints, to_text

    rule = {"-": "", "…": "..."}
    char_map = CharMap(lambda ch: rule.get(ch, ch.upper()))
    cps = to_codepoints(text)
    out, out_offsets = char_map.apply(cps, np.arange(cps.size, dtype=np.int64))
    assert (to_text(out), out_offsets.tolist()) == (mapped, offsets)
    assert out.dtype == np.int64
    assert "".join(char_map.text_of(cp) for cp in cps.tolist()) == mapped
    assert char_map.changes(cps) == (text != mapped)
    assert not CharMap(lambda ch: ch).changes(cps)
