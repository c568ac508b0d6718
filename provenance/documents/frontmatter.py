"""Front matter of .txt/.md files: a ``---`` YAML block or a ``+++`` TOML block at the top."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from provenance.errors import LoadError

_BLOCK = re.compile(r"\A(?P<fence>---|\+\+\+)[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)(?P=fence)[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return ``(fields, body)``; a file without front matter gives ``({}, text)``."""
    match = _BLOCK.match(text)
    if not match:
        return {}, text
    raw = match.group("body")
    try:
        fields = tomllib.loads(raw) if match.group("fence") == "+++" else yaml.safe_load(raw) or {}
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise LoadError(f"invalid front matter: {str(exc).splitlines()[0]}") from None
    if not isinstance(fields, dict):
        raise LoadError("invalid front matter: expected key/value pairs")
    return fields, text[match.end() :]
