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
         "原文链接", "LINK", "Original Story", "Reuters)",
         # one of each notice wording (an ASCII text is searched only when it holds one of their words)
         "Reproduced", "REPUBLISH", "reprint", "takedown", "Disclaimer", "does not ", "Do Not ", "necessarily ",
         "endorse", "represent", "reflect", "vouch", "views expressed", "Terms of Use", "may not be ", "published",
         "Creative Commons", "CC BY", "Notice", "not investment advice", "contact us", "e-mail", "mail"]


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


@pytest.mark.parametrize("text", [
    "Do not necessarily endorse", "does not reflect", "Vouch", "VIEWS EXPRESSED", "terms of use", "may not be broadcast",
    "creative commons", "cc by", "notice: x", "not investment advice", "Contact Us", "email: a", "e-mail :", "takedown",
    "reprinted", "republished", "reproduction", "all rights reserved", "COPYRIGHT", "disclaimer",
])
def test_each_notice_wording_in_ascii(text: str) -> None:
    assert may_hold_notice(text) and may_hold_notice(f"x {text} y")


@given(st.lists(st.sampled_from(["1", "12", "2018", "٣", "9", ":", "-", "/", ".", "年", "月", "Jul", "JULY ", "july ",
                                 " ", ",", "x", "Monday"]), max_size=10))
@settings(max_examples=400, deadline=None)
def test_date_gate_finds_every_date(words: list[str]) -> None:
    from provenance.text.blocks import _DATE, _DATE_DIGITS

    text = "".join(words)
    assert _DATE.search(text) is None or _DATE_DIGITS.search(text) is not None


@given(st.lists(st.sampled_from(WORDS), max_size=12))
@settings(max_examples=400, deadline=None)
def test_notice_sentence_gate_finds_what_ignorecase_finds(words: list[str]) -> None:
    from provenance.text.blocks import _holds_notice_en

    text = "".join(words)
    for piece in (text, text.strip(), "Notice: " + text, "NOTİCE:" + text):
        assert _holds_notice_en(piece) == (_NOTICE_EN.search(piece) is not None)


@given(st.lists(st.sampled_from(["Reuter", "REUTER", "Reuters", "reuter", " ", "\t", "\r", "\u3000", "\x1c", "\xa0",
                                 "x", "-"]), max_size=5).map("".join))
@settings(max_examples=300, deadline=None)
def test_reuter_signoff_lookup_is_the_pattern(line: str) -> None:
    from provenance.credits.claims import _REUTER_SIGNOFFS

    signoff = re.compile(r"^[^\S\n]*(?:Reuter|REUTER)[^\S\n]*$")
    assert (line.strip() in _REUTER_SIGNOFFS) == (signoff.match(line) is not None)


@given(st.lists(st.sampled_from(["Jane Doe", " ", "-", "–", "—", "\t", "AP", "x", "\xa0", "Reuters"]), max_size=6)
       .map("".join))
@settings(max_examples=300, deadline=None)
def test_byline_tail_dash_gate(line: str) -> None:
    from provenance.credits.claims import _BYLINE_TAIL

    found = _BYLINE_TAIL.search(line) is not None
    assert found == ("," in line or "|" in line or (any(d in line for d in "-–—") and found))
