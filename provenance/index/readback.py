"""What a shared index's values must be when read back: the checks Redis and PostgreSQL share.

A shared index is written by others, so nothing read from it is trusted. Each backend names the
key or table of a bad value in its own words; the rules for JSON, claims, fingerprint parameters
and MinHash bytes are kept here once.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import numpy as np

from provenance.errors import IndexError_
from provenance.index.base import POLICY_RANK
from provenance.index.codec import unpack_text
from provenance.params import FingerprintParams

MAX_JSON = 1 << 20  # bytes (or characters) of one JSON value read back: claims, the parameters
_CLAIM_TEXT = ("text", "name", "kind", "url", "resolved")


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def load_json(text: str) -> Any:
    """JSON without NaN or Infinity; ValueError or RecursionError when it is not valid."""
    return json.loads(text, parse_constant=_no_constant)


def claim_ok(claim: dict[str, Any]) -> bool:
    """A stored claim: text fields are strings, the span two non-negative ints, the line an int."""
    span, line = claim.get("span"), claim.get("line")
    return (all(claim.get(k) is None or isinstance(claim[k], str) for k in _CLAIM_TEXT)
            and (span is None or (isinstance(span, list) and len(span) == 2
                                  and all(type(v) is int and v >= 0 for v in span)))
            and (line is None or type(line) is int))


def claims_ok(data: Any) -> bool:
    return isinstance(data, list) and all(isinstance(c, dict) and claim_ok(c) for c in data)


def parameters(data: Any) -> FingerprintParams | str:
    """Fingerprint parameters from their JSON, or what is wrong with them."""
    if not isinstance(data, dict):
        return "is not fingerprint parameters"
    defaults = FingerprintParams()
    for spec in fields(FingerprintParams):
        if spec.name in data:
            wanted, got = type(getattr(defaults, spec.name)), data[spec.name]
            if not (type(got) is wanted or (wanted is float and type(got) is int)):
                return f"has a bad {spec.name!r}"
    try:
        params = FingerprintParams.from_dict(data)
        problems = params.problems()
    except (ValueError, TypeError) as exc:
        problems = [str(exc)]
    return f"is out of range ({problems[0]})" if problems else params


def minhash(value: object, num_perm: int) -> np.ndarray | None:
    """A stored MinHash (little-endian uint32 × ``num_perm``), or None when it is not one."""
    if not isinstance(value, bytes) or len(value) != num_perm * 4:
        return None
    return np.frombuffer(value, dtype="<u4").astype(np.uint32)


class Check:
    """Values read back, checked: a violation raises ``IndexError_`` naming the index and the
    place (a key, a table). A backend says how its values come (``_json_text``, ``blob``) and
    what its places and values are called."""

    noun = "field"  # what a value is called in messages
    advice = "rebuild the index"

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, place: str, problem: str) -> IndexError_:
        return IndexError_(f"{self.where}: {place} {problem}; {self.advice}")

    def blob(self, value: object, place: str, name: str) -> bytes:
        if not isinstance(value, bytes):
            raise self.fail(place, f"{self.noun} {name!r} is not bytes")
        return value

    def _json_text(self, value: object) -> str | None:
        """The text of a stored JSON value, or None when it is not text (ValueError: not UTF-8)."""
        return value if isinstance(value, str) else None

    def json(self, value: object, place: str, name: str) -> Any:
        try:
            text = self._json_text(value)
        except ValueError:
            raise self.fail(place, f"{self.noun} {name!r} is not valid JSON") from None
        if text is None or len(text) > MAX_JSON:
            raise self.fail(place, f"{self.noun} {name!r} is not JSON of at most {MAX_JSON} bytes")
        try:
            return load_json(text)
        except (ValueError, RecursionError):
            raise self.fail(place, f"{self.noun} {name!r} is not valid JSON") from None

    def policy(self, value: object, place: str, name: str) -> str | None:
        if value is not None and (not isinstance(value, str) or value not in POLICY_RANK):
            raise self.fail(place, f"{self.noun} {name!r} is not a policy")
        return value

    def packed(self, value: object, place: str, name: str) -> str:
        """A compressed text (the codec checks the bytes and names the index in its own error)."""
        return unpack_text(self.blob(value, place, name), f"{self.where}: {place} {self.noun} {name!r}")

    def minhash(self, value: object, place: str, num_perm: int) -> np.ndarray:
        found = minhash(value, num_perm)
        if found is None:
            raise self.fail(place, f"{self.noun} 'minhash' is not {num_perm * 4} bytes")
        return found

    def claims(self, value: object, place: str) -> list[dict[str, Any]]:
        if value is None or value == "" or value == b"":
            return []
        data = self.json(value, place, "claims")
        if not claims_ok(data):
            raise self.fail(place, f"{self.noun} 'claims' is not a list of claims")
        return data

    def params(self, value: object, place: str) -> FingerprintParams:
        found = parameters(self.json(value, place, "params"))
        if isinstance(found, str):
            raise self.fail(place, f"{self.noun} 'params' {found}")
        return found
