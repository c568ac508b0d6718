"""Verdicts, their default severities and their order (DESIGN §5)."""

from __future__ import annotations

ORIGINAL = "original"
OWN = "own"
PERMITTED = "permitted"
ATTRIBUTED = "attributed"
EXCERPT = "excerpt"
UNATTRIBUTED = "unattributed"
MISATTRIBUTED = "misattributed"
PROHIBITED = "prohibited"
UNREADABLE = "unreadable"

VERDICTS = (ORIGINAL, OWN, PERMITTED, ATTRIBUTED, EXCERPT, UNATTRIBUTED, MISATTRIBUTED, PROHIBITED, UNREADABLE)

SEVERITY = {
    ORIGINAL: "none", OWN: "none", PERMITTED: "info", ATTRIBUTED: "info", EXCERPT: "info",
    UNATTRIBUTED: "error", MISATTRIBUTED: "error", PROHIBITED: "error", UNREADABLE: "error",
}
SEVERITY_RANK = {"none": 0, "info": 1, "warning": 2, "error": 3}
# No verdict has the severity "warning", so it is no threshold to fail on (it would act as "error").
FAIL_ON = {"error": 3, "info": 1, "never": 99}

# Most severe first; ties between an article's matches are broken in this order.
ORDER = (UNREADABLE, PROHIBITED, MISATTRIBUTED, UNATTRIBUTED, EXCERPT, ATTRIBUTED, PERMITTED, OWN, ORIGINAL)


def most_severe(verdicts: list[str]) -> str:
    return min(verdicts, key=ORDER.index) if verdicts else ORIGINAL
