"""Language of the cleaned body, with langdetect made deterministic (fixed seed).

langdetect's cost is its random trials, not the text length: three trials on a 500-character
sample give the same answers as the default seven on news text, at less than half the cost.
The trials run in :func:`_probabilities`, langdetect's own algorithm with each update as one
list comprehension instead of an indexed loop: the same draws and the same floating-point
steps, so the same answer (tested against langdetect). langdetect's profiles are read as it reads
them, but each n-gram's row of per-language probabilities is made when a trial first draws it:
building all 87,000 rows took most of a worker's start.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Collection, Iterator, Mapping
from functools import cache

import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

SEED = 0
TRIALS = 3
_SAMPLE = 500  # characters


def detect_language(text: str) -> str | None:
    """ISO 639-1 code (``zh`` for both Chinese scripts) or None when there is no usable text."""
    sample = text[:_SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return None
    if _script_check("", sample) == "zh":
        return "zh"  # mostly Han, no kana or hangul: the script decides whatever langdetect says
    detector = Detector(_profiles())
    detector.seed = SEED
    detector.n_trial = TRIALS
    detector.set_max_text_length(_SAMPLE)
    try:
        detector.append(sample)
        langs = _probabilities(detector)
    except LangDetectException:
        return None
    if not langs:
        return None
    code = langs[0][0]
    return "zh" if code.startswith("zh") else _script_check(code, sample)


def _script_check(code: str, sample: str) -> str:
    """Script evidence overrides langdetect where it cannot be right.

    langdetect's Korean and Japanese profiles include Han characters, so Chinese text (above all
    Traditional) is sometimes called ``ko`` or ``ja``; Korean text always has hangul and Japanese
    text kana. A text mostly of Han characters is Chinese whatever the guess.
    """
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return code
    han = sum(1 for ch in letters if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff")
    kana = sum(1 for ch in letters if "\u3040" <= ch <= "\u30ff")
    if code == "ko" and hangul == 0 and han:
        return "zh"
    if code == "ja" and kana == 0 and han:
        return "zh"
    if han / len(letters) >= 0.5 and not kana and not hangul:
        return "zh"
    return code


def _probabilities(detector: Detector) -> list[tuple[str, float]]:
    """``detector.get_probabilities()`` as (language, probability) pairs, most probable first,
    for a detector made on :func:`_profiles`.

    langdetect 1.0.9's ``_detect_block``: per trial, a smoothing weight from one Gaussian draw,
    then n-grams drawn at random multiply the per-language probabilities until one exceeds the
    convergence threshold (checked every fifth draw). The random generator is seeded as
    langdetect seeds its own and every value sees the same operations in the same order.
    """
    detector.cleaning_text()
    table = detector.word_lang_prob_map
    ngrams = _ngrams(detector.text, table.words)
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    vector = table.vector
    langs = len(detector.langlist)
    total = np.zeros(langs)
    draws = random.Random()
    draws.seed(detector.seed)
    for _ in range(detector.n_trial):
        prob = np.full(langs, 1.0 / langs) if detector.prior_map is None else np.array(detector.prior_map)
        alpha = detector.alpha + draws.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        weight = alpha / Detector.BASE_FREQ
        i = 0
        while True:
            # element by element, the same IEEE operations as langdetect's loop: an add, then a multiply
            prob *= weight + vector(draws.choice(ngrams))
            if i % 5 == 0:
                prob /= sum(prob.tolist())  # Python's own sum, in langdetect's order
                if prob.max() > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT:
                    break
            i += 1
        total += prob / detector.n_trial
    ranked = [(lang, p) for lang, p in zip(detector.langlist, total.tolist(), strict=True)
              if p > Detector.PROB_THRESHOLD]
    ranked.sort(key=lambda pair: pair[1], reverse=True)
    return ranked


class _Profiles(Mapping[str, list[float]]):
    """langdetect's n-gram → per-language probability map, as its ``DetectorFactory`` builds it
    from the profile files (languages in directory order, which the normalisation's sums follow),
    with each n-gram's row made on first use instead of all at load."""

    seed = None  # what a Detector reads from its factory, beside the map and the language list

    def __init__(self, directory: str) -> None:
        files = os.listdir(directory)
        self._width = len(files)  # langdetect sizes rows by the directory's entries
        self.langlist: list[str] = []
        self._profiles: list[tuple[int, dict[str, int], list[int]]] = []
        for name in files:
            path = os.path.join(directory, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as handle:
                profile = json.load(handle)
            self._profiles.append((len(self.langlist), profile["freq"], profile["n_words"]))
            self.langlist.append(profile["name"])
        self._known: set[str] = set().union(*(freq for _, freq, _ in self._profiles))
        self._vectors: dict[str, np.ndarray] = {}  # the rows drawn so far (a list of floats is thrice the size)

    @property
    def word_lang_prob_map(self) -> _Profiles:
        return self

    @property
    def words(self) -> set[str]:
        """Every n-gram of the profiles (what ``in`` tests, without a method call)."""
        return self._known

    def vector(self, word: str) -> np.ndarray:
        """:meth:`__getitem__`'s row as an array (kept: trials draw the same n-grams again)."""
        row = self._vectors.get(word)
        if row is None:
            row = self._vectors[word] = np.array(self[word])
        return row

    def __contains__(self, word: object) -> bool:
        return word in self._known

    def __getitem__(self, word: str) -> list[float]:
        if word not in self._known:
            raise KeyError(word)
        row = [0.0] * self._width
        length = len(word)
        if 1 <= length <= 3:
            for index, freq, n_words in self._profiles:
                count = freq.get(word)
                if count is not None:
                    row[index] = 1.0 * count / n_words[length - 1]
        return row

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


_normal = cache(NGram.normalize)  # a pure function of the character: langdetect calls it per character


def _ngrams(text: str, known: Collection[str]) -> list[str]:
    """``Detector._extract_ngrams``: langdetect's ``NGram`` buffer of the last three normalised
    characters, written out with each character's normal form looked up once."""
    found: list[str] = []
    grams = " "
    capital = False
    for ch in text:
        ch = _normal(ch)
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if ch == " ":
                continue  # a second space: the buffer stays " ", which yields no n-gram
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        # the n-grams ending here, n = 1 to 3 (the buffer holds at most three characters)
        if ch != " " and ch in known:
            found.append(ch)
        if len(grams) > 1:
            pair = grams[-2:]
            if pair in known:
                found.append(pair)
            if len(grams) > 2 and grams in known:
                found.append(grams)
    return found


@cache
def _profiles() -> _Profiles:
    return _Profiles(detector_factory.PROFILES_DIRECTORY)
