"""Language detection: the fast trials give langdetect's own answers, and the script checks hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langdetect import detector_factory
from langdetect.detector import Detector

from provenance.text.language import SEED, _ngrams, _probabilities, _profiles, detect_language

TEXTS = {
    "en": "The city council approved a new budget on Tuesday, raising spending on libraries and "
          "road repairs while holding property taxes flat for a third year, officials said.",
    "fr": "Le conseil municipal a adopté mardi un nouveau budget qui augmente les dépenses pour les "
          "bibliothèques et l'entretien des routes, sans hausse des impôts locaux.",
    "de": "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der mehr Geld für "
          "Bibliotheken und Straßenreparaturen vorsieht, ohne die Grundsteuer zu erhöhen.",
    "es": "El ayuntamiento aprobó el martes un nuevo presupuesto que aumenta el gasto en bibliotecas "
          "y reparación de carreteras sin subir el impuesto sobre bienes inmuebles.",
    "ru": "Городской совет во вторник утвердил новый бюджет, увеличив расходы на библиотеки и "
          "ремонт дорог без повышения налога на имущество.",
    "ja": "市議会は火曜日、図書館と道路補修の予算を増やす新しい予算案を可決した。固定資産税は据え置かれる。",
    "ko": "시의회는 화요일 도서관과 도로 보수 예산을 늘리는 새 예산안을 통과시켰다. 재산세는 동결된다.",
    "zh": "市議會週二通過新預算，增加圖書館和道路維修支出，物業稅維持不變。",
}


def _detector(text: str, trials: int, length: int, lazy: bool = False):  # type: ignore[no-untyped-def]
    detector_factory.init_factory()
    detector = Detector(_profiles()) if lazy else detector_factory._factory.create()
    detector.seed = SEED
    detector.n_trial = trials
    detector.set_max_text_length(length)
    detector.append(text)
    return detector


@pytest.mark.parametrize("lang", sorted(TEXTS))
@pytest.mark.parametrize(("trials", "length"), [(3, 500), (7, 10000), (1, 40)])
def test_trials_give_langdetects_own_probabilities(lang: str, trials: int, length: int) -> None:
    text = TEXTS[lang] * 3
    theirs = [(found.lang, found.prob) for found in _detector(text, trials, length).get_probabilities()]
    assert _probabilities(_detector(text, trials, length, lazy=True)) == theirs  # to the last bit
    assert theirs


def test_rows_made_on_first_use_equal_langdetects_map() -> None:
    detector_factory.init_factory()
    theirs = detector_factory._factory
    ours = _profiles()
    assert ours.langlist == theirs.langlist
    assert set(ours) == set(theirs.word_lang_prob_map) and len(ours) == len(theirs.word_lang_prob_map)
    assert all(ours[word] == row for word, row in theirs.word_lang_prob_map.items())
    assert "no such n-gram" not in ours
    with pytest.raises(KeyError):
        ours["no such n-gram"]


def test_mixed_text_gives_langdetects_own_probabilities() -> None:
    text = " ".join(TEXTS.values())
    theirs = [(found.lang, found.prob) for found in _detector(text, 3, 500).get_probabilities()]
    assert _probabilities(_detector(text, 3, 500, lazy=True)) == theirs


@pytest.mark.parametrize(("lang", "expected"), [("en", "en"), ("fr", "fr"), ("de", "de"), ("es", "es"),
                                                ("ru", "ru"), ("ja", "ja"), ("ko", "ko"), ("zh", "zh")])
def test_detected_language(lang: str, expected: str) -> None:
    assert detect_language(TEXTS[lang]) == expected


def test_no_letters_no_language() -> None:
    assert detect_language("2024-05-20 12:00 — 3051.28 / 1.5%") is None
    assert detect_language("") is None


_MIXED = "abcXYZ  .,'é\u00d7ß中國语\u3042\u30a2\uac00\u0219\u1ea1Я\u064a"  # scripts, capitals, punctuation


@given(st.text(alphabet=st.sampled_from(list(_MIXED)), max_size=80))
def test_ngrams_equal_langdetects_extraction(text: str) -> None:
    detector = _detector(text, 1, 10000)
    detector.cleaning_text()
    assert _ngrams(detector.text, _profiles().words) == detector._extract_ngrams()


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_ngrams_of_each_language_equal_langdetects(lang: str) -> None:
    detector = _detector(TEXTS[lang] + " NASA and the UN SAID so", 1, 10000)
    detector.cleaning_text()
    assert _ngrams(detector.text, _profiles().words) == detector._extract_ngrams()
