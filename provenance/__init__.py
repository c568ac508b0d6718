"""provenance: find republished news text, name its original and judge its attribution.

The library API lives in :mod:`provenance.engine`; the CLI in :mod:`provenance.cli` is a thin
shell over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
