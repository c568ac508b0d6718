"""The data beside the checkout (``../shared``): always there in CI, maybe not in a user's clone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEVSET = SHARED / "devset"


def require_devset() -> Path:
    """The devset folder; a stated skip where it is absent, a failure in CI (where it must be)."""
    if not (DEVSET / "labels.jsonl").is_file():
        reason = f"{DEVSET} is absent (it sits beside the checkout in CI)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return DEVSET
