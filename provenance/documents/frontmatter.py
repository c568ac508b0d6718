"""Front matter of .txt/.md files: a ``---`` YAML block or a ``+++`` TOML block at the top.

The block is untrusted, so it is parsed within bounds: at most ``cap`` bytes, nested at most
:data:`~provenance.limits.STRUCTURE_DEPTH` levels, and YAML without aliases (a few hundred
bytes of nested aliases expand into gigabytes) and with dates left as text, so an impossible
date (``2024-13-45``) is reported by the loader like any other unparseable one.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any, ClassVar

import yaml
from yaml.composer import ComposerError

from provenance.errors import LoadError
from provenance.limits import STRUCTURE_DEPTH, depth_of, describe

_OPEN = re.compile(r"\A(?P<fence>---|\+\+\+)[ \t]*\r?\n")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it


class FrontMatterLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader without timestamps (dates stay text for the loader to judge)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, Any]]]] = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _check_events(raw: str) -> None:
    """Refuse aliases and deep nesting before anything is built: one pass over the parser's events."""
    depth = 0
    for event in yaml.parse(raw, Loader=_SafeBase):
        if isinstance(event, yaml.AliasEvent):
            raise ComposerError(None, None, "aliases (*name) are not allowed in front matter", event.start_mark)
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > STRUCTURE_DEPTH:
                raise ComposerError(None, None, f"nested more than {STRUCTURE_DEPTH} levels deep", event.start_mark)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _closing(text: str, start: int, fence: str, cap: int) -> tuple[int, int] | None:
    """``(body end, block end)`` of the fence line closing a block that starts at ``start``."""
    position = start
    limit = min(len(text), start + cap + 1)
    while position <= limit:
        end = text.find("\n", position)
        line_end = len(text) if end < 0 else end
        line = text[position:line_end].rstrip("\r")
        if line.rstrip(" \t") == fence:
            body_end = max(start, position - 1 - (position >= 2 and text[position - 2] == "\r"))
            return body_end, len(text) if end < 0 else end + 1
        if end < 0:
            return None
        position = end + 1
    return None


def split_front_matter(text: str, cap: int = 1 << 20) -> tuple[dict[str, Any], str]:
    """Return ``(fields, body)``; a file without front matter gives ``({}, text)``.

    Raises :class:`LoadError` for a block that is invalid, too large or nested too deeply.
    """
    opening = _OPEN.match(text)
    if not opening:
        return {}, text
    fence = opening.group("fence")
    closing = _closing(text, opening.end(), fence, cap)
    if closing is None:
        if len(text) - opening.end() > cap:
            raise LoadError(f"front matter: no closing {fence} within the limit of {describe(cap)}; raise [limits]"
                            " front_matter_bytes in the rules file to read it")
        return {}, text
    raw = text[opening.end() : closing[0]]
    if len(raw.encode("utf-8", "surrogatepass")) > cap:
        raise LoadError(f"front matter larger than the limit of {describe(cap)}; raise [limits] front_matter_bytes"
                        " in the rules file to read it")
    try:
        if fence == "+++":
            fields = tomllib.loads(raw)
        else:
            _check_events(raw)
            fields = yaml.load(raw, Loader=FrontMatterLoader) or {}  # a safe loader, narrowed (see above)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""  # the block starts on line 2
        raise LoadError(f"invalid front matter{where}: {exc.problem or exc.context}") from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise LoadError(f"invalid front matter: {' '.join(str(exc).split())[:200]}") from None
    except RecursionError:
        raise LoadError(f"invalid front matter: nested more than {STRUCTURE_DEPTH} levels deep") from None
    if not isinstance(fields, dict):
        raise LoadError("invalid front matter: expected key/value pairs")
    if depth_of(fields) > STRUCTURE_DEPTH:
        raise LoadError(f"invalid front matter: nested more than {STRUCTURE_DEPTH} levels deep")
    return fields, text[closing[1] :]
