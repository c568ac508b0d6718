"""Index locations as people see them: a server URL's password never leaves the process.

``redis://:secret@host:6379/0`` is shown as ``redis://:***@host:6379/0`` in reports, statistics,
progress lines and error messages; only the backend's connection uses the real URL.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
CACHE_FOLDER = ".provenance"  # the tool's own folder: the default index, kept out of git by a .gitignore
DEFAULT_INDEX = f"{CACHE_FOLDER}/index.sqlite"
_QUERY_SECRET = re.compile(r"(?i)([?&](?:password|passwd|pass|token)=)[^&#]*")


def is_url(location: str) -> bool:
    """A server location (``scheme://…``) rather than a file path."""
    return "://" in location


def mask_url(location: str) -> str:
    """``location`` with the password of its URL (if any) replaced by ``***``; paths unchanged."""
    if not is_url(location):
        return location
    location = _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, location)
    try:
        parts = urlsplit(location)
        password = parts.password
    except ValueError:  # a malformed URL (bad port…): hide everything before the host
        head, _, rest = location.partition("://")
        return f"{head}://{MASK}@{rest.rpartition('@')[2]}" if "@" in rest else location
    if not password:
        return location
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit((parts.scheme, f"{user}:{MASK}@{host}", parts.path, parts.query, parts.fragment))


def mask_in(text: str, location: str) -> str:
    """``text`` with every occurrence of ``location``'s password masked (for messages that quote it)."""
    if not is_url(location):
        return text
    text = text.replace(location, mask_url(location))
    secrets = [m.group(0).partition("=")[2] for m in _QUERY_SECRET.finditer(location)]
    with contextlib.suppress(ValueError):
        secrets.append(urlsplit(location).password or "")
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
