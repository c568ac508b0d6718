"""Language of the cleaned body, with langdetect made deterministic (fixed seed)."""

from __future__ import annotations

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0
_SAMPLE = 500  # characters: enough for a stable answer; langdetect's cost grows with the text


def detect_language(text: str) -> str | None:
    """ISO 639-1 code (``zh`` for both Chinese scripts) or None when there is no usable text."""
    sample = text[:_SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return None
    DetectorFactory.seed = 0
    try:
        langs = detect_langs(sample)
    except LangDetectException:
        return None
    if not langs:
        return None
    code = langs[0].lang
    return "zh" if code.startswith("zh") else code
