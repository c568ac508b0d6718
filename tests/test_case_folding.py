"""Whole-text gates search lower-cased text instead of using IGNORECASE: they must find exactly
what the IGNORECASE patterns find, including characters that fold to ASCII letters only there."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.credits.claims import _WHOLE_TEXT, _Present
from provenance.text.blocks import _NOTICE_EN, _NOTICE_ZH, may_hold_notice

_NOTICE_IGNORECASE = re.compile(_NOTICE_ZH.pattern + "|" + _NOTICE_EN.pattern.replace(r"^notice\s*:", r"notice\s*:"), re.I)
WORDS = ["source", "SOURCE", "Source", "ſource", "credit", "Reprinted From", "courtesy of", "read the original",
         "www.", "HTTP://", "example.COM", "Link", "©", "All Rights Reserved", "COPYRİGHT", "disclaımer",
         "E-MAIL", "转载", "来源", "：", ":", " ", "\n", "Reuters", "and", "AND", "ıs", "K", "x",
         "转", "自", "据", "新华社", "报道", "消息", "原载", "首发", "本文", "来", "源", "First Appeared On ", "news.", "CN",
         "Adapted from", "ORIGINALLY", "(", ")", "|", " - ", "—", "By ", "BY", "1月", "2日", "电", "讯", "北京",
         "原文链接", "LINK", "Original Story", "Reuters)"]


@given(st.lists(st.sampled_from(WORDS), max_size=12))
@settings(max_examples=400)
def test_gates_find_what_ignorecase_finds(words: list[str]) -> None:
    text = "".join(words)
    assert may_hold_notice(text) == (_NOTICE_IGNORECASE.search(text) is not None)
    present = _Present(text)
    for name in _WHOLE_TEXT:  # lower-cased searches and the literals each pattern needs
        assert present(name) == (_WHOLE_TEXT[name].search(text) is not None), name


@pytest.mark.parametrize("text", ["ALL RIGHTS RESERVED.", "REPRODUCTİON FORBIDDEN", "Copyright 2024", "版权所有"])
def test_notice_wording_in_any_case(text: str) -> None:
    assert may_hold_notice(text)


@pytest.mark.parametrize("text", ["SOURCE: Reuters", "ſource: Reuters", "Originally Published By Example News"])
def test_credit_markers_in_any_case(text: str) -> None:
    assert _Present(text)("en_explicit")
