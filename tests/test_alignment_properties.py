"""Property tests: passages survive the noise the normaliser removes, at the character level."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from provenance.align import align
from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.params import FingerprintParams
from provenance.text.normalize import normalise

PARAMS = FingerprintParams()
# Simplified characters with one unambiguous Traditional form, and their pinyin.
PAIRS = {"区": ("區", "qū"), "会": ("會", "huì"), "国": ("國", "guó"), "发": ("發", "fā"), "经": ("經", "jīng"),
         "济": ("濟", "jì"), "长": ("長", "zhǎng"), "书": ("書", "shū"), "电": ("電", "diàn"), "车": ("車", "chē")}
PLAIN = list("的一是在不了有人这中大为上个以要他时来用们生到作地于出就分对成可主年动同工也能下过子说产种面而方后多定行学法所民得")
HAN = PLAIN + list(PAIRS)
# The local intro is other text: its own characters and words.
INTRO_HAN = list("春夏秋冬江河湖海山川云雨风雪花草树木鸟鱼虫兽城乡街巷桥路灯火")
INTRO_WORDS = ["orchard", "festival", "lantern", "ferry", "museum", "choir", "garden", "tram", "bakery", "kite"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\ufe0f", "\u00ad"]
WORDS = ["market", "council", "river", "budget", "school", "harbour", "rail", "energy", "health", "court"]


# Sentences draw distinct characters (words): text made of one repeated character has no single
# right alignment, and news text is not like that.
def sentence_zh(draw: st.DrawFn, pool: list[str] = HAN) -> str:
    chars = draw(st.lists(st.sampled_from(pool), min_size=12, max_size=min(40, len(pool)), unique=True))
    return "".join(chars) + draw(st.sampled_from(["。", "，", "；", "！"]))


def sentence_en(draw: st.DrawFn, pool: list[str] = WORDS) -> str:
    words = draw(st.lists(st.sampled_from(pool), min_size=6, max_size=10, unique=True))
    return " ".join(words).capitalize() + draw(st.sampled_from([".", ",", ";"]))


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str]:
    """(source, noisy copy): the copy has a local intro, then the source with normaliser noise."""
    chinese = draw(st.booleans())
    make = sentence_zh if chinese else sentence_en
    body = "".join(make(draw) + draw(st.sampled_from(["", "\n", " "])) for _ in range(draw(st.integers(4, 9))))
    intro_pool = INTRO_HAN if chinese else INTRO_WORDS
    intro = "".join(make(draw, intro_pool) for _ in range(draw(st.integers(0, 2))))
    noisy = []
    for ch in body:
        roll = draw(st.integers(0, 19))
        if ch in PAIRS and roll < 8:
            trad, pinyin = PAIRS[ch]
            noisy.append(trad + (f"({pinyin})" if roll < 4 else (f"（{pinyin}）" if roll < 6 else "")))
        elif roll == 9:
            noisy.append(ch + draw(st.sampled_from(INVISIBLE)))
        elif roll == 10 and "!" <= ch <= "~":
            noisy.append(chr(ord(ch) + 0xFEE0))  # full-width form
        elif roll == 11 and ch in "。，；！":
            noisy.append({"。": ".", "，": ",", "；": ";", "！": "!"}[ch])
        else:
            noisy.append(ch)
    return body, intro + "\n" + "".join(noisy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_passages_match_after_normalisation(pair: tuple[str, str]) -> None:
    source_text, article_text = pair
    source = analyse(Article(id="s", path="s", text=source_text), PARAMS, detect=False)
    article = analyse(Article(id="a", path="a", text=article_text), PARAMS, detect=False)
    passages = align(article, source, min_passage=20)
    assert passages, "the copied body must be found"
    for passage in passages:
        a0, a1 = passage.article
        s0, s1 = passage.source
        assert 0 <= a0 < a1 <= len(article_text)
        assert 0 <= s0 < s1 <= len(source_text)
        assert normalise(article_text[a0:a1]).norm == normalise(source_text[s0:s1]).norm
        assert passage.identical == 1.0


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_offsets_point_into_the_loaded_text(text: str) -> None:
    normalized = normalise(text)
    assert len(normalized.mid) == len(normalized.mid_off)
    assert len(normalized.norm) == len(normalized.norm_off)
    for offsets in (normalized.mid_off, normalized.norm_off):
        if len(offsets):
            assert int(offsets.min()) >= 0 and int(offsets.max()) < len(text)
            assert (offsets[1:] >= offsets[:-1]).all(), "offsets never go backwards"


def _reference_seeds(a: list[int], b: list[int]) -> set[tuple[int, int, int]]:
    """Seeds of one pair by their definition: (i, j, occurrences of a[i] in b) with a[i] == b[j];
    a shingle found more than four times keeps the four consecutive occurrences centred on the
    dominant diagonal (the most common j - i of shingles found once on each side; the smallest
    on a tie)."""
    where: dict[int, list[int]] = {}
    for j, value in enumerate(b):
        where.setdefault(value, []).append(j)
    votes: dict[int, int] = {}
    for i, value in enumerate(a):
        if len(where.get(value, [])) == 1 and a.count(value) == 1:
            votes[where[value][0] - i] = votes.get(where[value][0] - i, 0) + 1
    dominant = min(votes, key=lambda d: (-votes[d], d)) if votes else 0
    out = set()
    for i, value in enumerate(a):
        js = where.get(value, [])
        if len(js) > 4:
            centre = sum(j < min(max(i + dominant, 0), len(b)) for j in js)
            first = min(max(0, centre - 2), len(js) - 4)
            chosen = js[first:first + 4]
        else:
            chosen = js
        out.update((i, j, len(js)) for j in chosen)
    return out


@settings(max_examples=200, deadline=None)
@example([1, 2, 3, 4, 9], [[1, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 3, 4]])  # diagonals 0 and 10 tie: 0 places the window
@given(st.lists(st.integers(0, 12), min_size=1, max_size=60),
       st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=60), min_size=1, max_size=5))
def test_seeds_of_many_sources_are_each_pairs_own(article: list[int], sources: list[list[int]]) -> None:
    """Seeds found for several sources together are, source by source, the pair's seeds by their
    definition (few distinct values: many repeats, crowded shingles and tied diagonals)."""
    import numpy as np

    from provenance.align import _seeds
    from provenance.text.tokens import Shingles

    def shingles(values: list[int]) -> Shingles:
        hashes = np.array(values, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        empty = np.zeros(len(values), dtype=np.int64)
        return Shingles(hashes, empty, empty, 3)

    seeds = _seeds(shingles(article), [shingles(values) for values in sources],
                   len(article) + max(map(len, sources)) + 1)
    for k, values in enumerate(sources):
        mine = {(int(i), int(j), int(c)) for s, i, j, c in seeds.tolist() if s == k}
        scaled = [int(h) for h in shingles(values).hashes]
        assert mine == _reference_seeds([int(h) for h in shingles(article).hashes], scaled)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=2, max_size=4), st.randoms(use_true_random=False))
def test_aligning_many_sources_at_once_equals_aligning_each(  # type: ignore[no-untyped-def]
        pairs: list[tuple[str, str]], rng) -> None:
    """One article against several sources (its own source, others, one repeated within itself)
    gives each source the passages aligning it alone gives."""
    from provenance.align import align_many

    source_texts = [source for source, _ in pairs]
    source_texts.append(source_texts[0] * 2)  # repeated text: crowded seeds
    article = analyse(Article(id="a", path="a", text=pairs[0][1] + pairs[1][1]), PARAMS, detect=False)
    sources = [analyse(Article(id=f"s{k}", path="s", text=t), PARAMS, detect=False) for k, t in enumerate(source_texts)]
    minimums = [rng.choice([5, 20, 50]) for _ in sources]
    each = [align(article, source, minimum) for source, minimum in zip(sources, minimums, strict=True)]
    assert align_many(article, sources, minimums) == each
