"""Which files a run reads: the article files under the given paths, and the ones it must not open.

Walking opens no file. Each article file becomes a :class:`FoundFile`; a file that cannot
become an article (a symlink loop, a dangling link, a name that is not valid UTF-8) carries the
reason, which the loaders turn into an ``unreadable`` item. Files that must not be opened at all
are :class:`Skipped` with a one-line reason for stderr:

* FIFOs, sockets and devices (opening a FIFO waits for a writer forever);
* symbolic links whose real path lies outside the given paths (a link in a repository of
  articles to ``~/.ssh/id_rsa`` must not end up in a report), unless ``follow_symlinks``.

Under a folder, hidden files are not found, and neither are Office's lock files (``~$draft.docx``,
which Word writes beside a document it has open): :func:`is_article_file` says they are no articles.

A given file's own folder counts as given: ``provenance check a.md`` reads ``a.md`` when its
real path is inside the folder it was named in. Folders reached through symbolic links are not
walked unless ``follow_symlinks`` (then each real folder once, so a link loop ends).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from provenance.limits import file_kind, is_under

FOLLOW_HINT = "pass --follow-symlinks to read it"
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
DOCX_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
# Formats whose text is extracted from a binary file: offsets count characters of the extracted text.
EXTRACTED_SUFFIXES = DOCX_SUFFIXES + PDF_SUFFIXES
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES + EXTRACTED_SUFFIXES
# Names of files that are never articles: Office's lock files ("~$draft.docx", written beside a
# document while Word has it open; a few bytes of the user's name, not a document).
LOCK_PREFIX = "~$"
# Files that configure the corpus rather than being articles.
CONFIG_NAMES = {"source.toml", "provenance.toml", "pyproject.toml", "labels.jsonl", "expected.jsonl"}


def suffix_of(path: Path) -> str:
    """The article suffix of a file name (``.jsonl.gz`` counts as one), lower-cased."""
    name = path.name.lower()
    for suffix in JSONL_SUFFIXES + ARTICLE_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def is_article_file(path: Path) -> bool:
    return (path.name not in CONFIG_NAMES and not path.name.startswith(LOCK_PREFIX)
            and suffix_of(path) in ARTICLE_SUFFIXES)


def is_tool_file(path: Path) -> bool:
    """The tool's own files (``.provenance-baseline.json``, anything in ``.provenance/``), which a
    hook's file pattern or a git diff may name: never articles."""
    return path.name.startswith(".provenance") or ".provenance" in path.parts


@dataclass(frozen=True)
class FoundFile:
    """An article file to load: how it was reached, and the real path to open."""

    path: Path  # as reached from the argument
    root: Path  # the given folder (a given file's own folder)
    display: str  # the path in reports
    rel: str  # the path relative to ``root`` (the default article id)
    problem: str | None = None  # why it cannot be read (an unreadable item)
    real: Path | None = None  # the file to open, every link resolved


@dataclass(frozen=True)
class Skipped:
    """A file the run did not open, and why (reported on stderr)."""

    path: str
    reason: str
    unsupported: bool = False  # a file of a format the loaders do not read (summarised, not one line each)


def printable(path: str) -> str:
    """A path as text that can be written anywhere: bytes of a non-UTF-8 name as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _bad_name(path: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in path)


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(os.path.basename(rel), p) for p in patterns)


def _matches_any(rel: str, display: str, patterns: Iterable[str]) -> bool:
    """A glob matches a file by its path under the scanned folder, its name, or its path as shown
    (``articles/*.md`` when ``.`` or ``articles`` is scanned)."""
    shown = display.replace(os.sep, "/").removeprefix("./")
    return _matches(rel, patterns) or any(fnmatch.fnmatch(shown, p.removeprefix("./")) for p in patterns)


@dataclass
class FileWalk:
    """The article files under ``paths`` in a stable order, with the files skipped on the way.

    Only files named like articles (:func:`is_article_file`) are found under folders; a file
    given by name is found whatever its name (the loaders say when its format is unknown).
    """

    paths: Iterable[str | Path]
    include: Iterable[str] = ()
    exclude: Iterable[str] = ()
    follow_symlinks: bool = False
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.paths = [str(p) for p in self.paths]
        self.include = list(self.include)
        self.exclude = list(self.exclude)
        self.roots = [self._real_root(Path(p)) for p in self.paths]
        self.used: set[str] = set()

    @staticmethod
    def _real_root(given: Path) -> Path:
        base = given if given.is_dir() else given.parent
        return Path(os.path.realpath(base))

    def _included(self, rel: str, display: str) -> bool:
        hits = [p for p in self.include if _matches_any(rel, display, [p])]
        self.used.update(hits)
        return bool(hits)

    @property
    def unused_includes(self) -> list[str]:
        """``include`` globs that matched no file of the walk (a typo, or a path from another folder)."""
        return [p for p in self.include if p not in self.used]

    def __iter__(self) -> Iterator[FoundFile]:
        for given in self.paths:
            yield from self._given(str(given))

    def _skip(self, path: str, reason: str) -> None:
        self.skipped.append(Skipped(printable(path), reason))

    def _given(self, given: str) -> Iterator[FoundFile]:
        path = Path(given)
        try:
            info = os.lstat(path)
        except OSError as exc:
            yield self._problem(path, path.parent, given, path.name, exc)
            return
        if stat.S_ISDIR(info.st_mode) or (stat.S_ISLNK(info.st_mode) and path.is_dir()):
            yield from self._folder(path, given)
            return
        found = self._file(path, path.parent, given, path.name, info)
        if found is not None:
            yield found

    def _problem(self, path: Path, root: Path, display: str, rel: str, exc: OSError) -> FoundFile:
        if exc.errno == errno.ELOOP:
            reason = "symbolic link loop"
        elif exc.errno == errno.ENOENT and os.path.islink(path):
            reason = "dangling symbolic link (its target does not exist)"
        elif exc.errno == errno.ENOENT:
            reason = "no such file or directory"
        else:
            reason = f"cannot read file: {exc.strerror or exc}"
        return FoundFile(path, root, printable(display), printable(rel), problem=reason)

    def _file(self, path: Path, root: Path, display: str, rel: str, info: os.stat_result,
              real_folder: Path | None = None) -> FoundFile | None:
        """The file at ``path`` (``info``: its lstat), or None when it is skipped; ``real_folder``:
        the real path of the folder holding it, when known."""
        if _bad_name(display):
            return FoundFile(path, root, printable(display), printable(rel),
                             problem="file name is not valid UTF-8; rename the file")
        if stat.S_ISLNK(info.st_mode):
            try:
                info = os.stat(path)
            except OSError as exc:
                return self._problem(path, root, display, rel, exc)
            real = Path(os.path.realpath(path))
            if not self.follow_symlinks and not is_under(real, self.roots):
                self._skip(display, f"symbolic link to a file outside the scanned folders, not read; {FOLLOW_HINT}")
                return None
        elif real_folder is not None:  # not a link: its real path is its name in its folder's
            real = real_folder / path.name
        else:
            real = Path(os.path.realpath(path))
        if not stat.S_ISREG(info.st_mode):
            self._skip(display, f"{file_kind(info.st_mode)}, not a regular file: not opened")
            return None
        return FoundFile(path, root, display, rel, real=real)

    def _folder(self, root: Path, given: str) -> Iterator[FoundFile]:
        found: list[tuple[str, FoundFile]] = []
        visited: set[tuple[int, int]] = set()

        def refuse(error: OSError) -> None:
            self._skip(error.filename or given, f"cannot read folder: {error.strerror or error}")

        for dirpath, dirnames, filenames in os.walk(root, onerror=refuse, followlinks=self.follow_symlinks):
            folder = Path(dirpath)
            try:
                here = os.stat(folder)
            except OSError:
                dirnames[:] = []
                continue
            if (here.st_dev, here.st_ino) in visited:  # a link back to a folder already walked
                dirnames[:] = []
                continue
            visited.add((here.st_dev, here.st_ino))
            kept = []
            for name in sorted(dirnames):
                if name.startswith(".") or name == "__pycache__":
                    continue
                sub = folder / name
                if os.path.islink(sub) and not self.follow_symlinks:
                    target = Path(os.path.realpath(sub))
                    if not is_under(target, self.roots):
                        self._skip(str(sub), f"symbolic link to a folder outside the scanned folders, not read; "
                                             f"{FOLLOW_HINT}")
                    continue
                kept.append(name)
            dirnames[:] = kept
            real_folder = Path(os.path.realpath(folder))
            for name in filenames:
                full = folder / name
                if name.startswith(".") or name in CONFIG_NAMES:
                    continue
                rel = full.relative_to(root).as_posix()
                display = os.path.join(given, rel) if given not in (".", "") else rel
                if self.include and not self._included(rel, display):
                    continue
                if self.exclude and _matches_any(rel, display, self.exclude):
                    continue
                if not is_article_file(full):
                    kind = suffix_of(full) or "no suffix"
                    self.skipped.append(Skipped(printable(display), f"not an article format ({kind})", True))
                    continue
                try:
                    info = os.lstat(full)
                except OSError as exc:
                    found.append((rel, self._problem(full, root, display, rel, exc)))
                    continue
                entry = self._file(full, root, display, rel, info, real_folder)
                if entry is not None:
                    found.append((rel, entry))
        found.sort(key=lambda pair: pair[0])
        yield from (entry for _, entry in found)
