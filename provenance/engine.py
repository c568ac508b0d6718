"""The library API: build or refresh an index from a corpus, and scan articles against it.

The CLI is a thin shell over :func:`build_index` and :func:`scan`; programs can call them
directly::

    from provenance.engine import build_index, scan
    from provenance.rules import load_rules
    rules = load_rules("provenance.toml")
    build_index(["corpus"], "corpus.sqlite", rules)
    report = scan(["incoming"], "corpus.sqlite", rules)
    print(report.exit_code, report.by_verdict())
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from provenance.analysis import Analysis, analyse, analyse_many, screen_offsets, screen_text
from provenance.credits.claims import resolve_claims
from provenance.credits.disclaimers import NO_REPRINT
from provenance.credits.names import NameRegistry
from provenance.credits.policy import PolicyBook
from provenance.credits.wires import notice_owner, register_wires, wire_registry
from provenance.documents.loaders import FileWalk, FoundFile, Skipped, load_found
from provenance.documents.model import Article
from provenance.documents.shards import Shard
from provenance.errors import ConfigError, IndexError_
from provenance.index.base import IndexBackend, IndexedDoc, Rekeyed, open_index
from provenance.index.location import CACHE_FOLDER
from provenance.judge import judge_group, origin_of
from provenance.limits import is_under
from provenance.match import Matcher, group_matches, match_rank
from provenance.params import FingerprintParams
from provenance.report.model import Item, Report
from provenance.rules import Rules
from provenance.text.chrome import Chrome, distinct_keys, is_story_copy
from provenance.verdicts import ORIGINAL, UNREADABLE, most_severe

BATCH = 2048  # documents per write transaction: each touched B-tree page is written once per batch
_POLICY_RANK = {None: 0, "attribution-required": 1, NO_REPRINT: 2}


class Progress(Protocol):
    def start(self, description: str, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def stop(self) -> None: ...


class _NoProgress:
    def start(self, description: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class BuildResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    unreadable: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # files not opened (FIFOs, links outside the corpus)
    rebuilt: str | None = None  # why a cached corpus index was started afresh
    unused_includes: list[str] = field(default_factory=list)  # include globs that matched no file
    files: int = 0  # corpus files read (with a shard: the shard's)
    walked: int = 0  # corpus files found under the paths (with a shard: every shard's)

    @property
    def indexed(self) -> int:
        return self.added + self.updated + self.unchanged


def content_hash(article: Article) -> str:
    payload = json.dumps([article.text, article.title, article.source, article.url, article.published_iso(),
                          article.publisher, article.license], ensure_ascii=False)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()  # 128 bits: no accidental equality


def registry_from_rules(rules: Rules) -> NameRegistry:
    """The outlets of the rules file, then the built-in wires (a rules source of a wire's name
    extends it: see :func:`provenance.credits.wires.register_wires`)."""
    registry = NameRegistry()
    registry.add_many((rule.name, rule.aliases, rule.url) for rule in rules.sources)
    register_wires(registry)
    return registry


def indexed_doc(article: Article, analysis: Analysis, params: FingerprintParams,
                registry: NameRegistry | None = None) -> IndexedDoc:
    """Everything the index stores for one corpus document.

    A disclaimer that is another outlet's notice (a wire's "© The Associated Press … may not be
    published" under a newspaper's copy of its story) states that outlet's policy, not the
    document's: it goes with the notice claim, where the policy of the external original is read
    (:meth:`provenance.credits.policy.PolicyBook.for_external`).
    """
    fp = analysis.fingerprint
    policy = None
    sentence = None
    no_edits = aggregator = False
    source = article.source or article.meta.get("site_name")
    # A claim keeps its line's key (text.chrome.line_keys): a scan then tells a claim on a chrome
    # line of the source without normalising the whole matched text again.
    lines = analysis.line_keys
    claims = [{"name": c.name, "kind": c.kind, "url": c.url, "resolved": c.resolved, "span": list(c.span),
               "line": c.line, "origin": c.origin,
               **({"line_key": int(lines[c.line])} if c.line is not None and 0 <= c.line < len(lines) else {})}
              for c in analysis.attribution.claims]
    registry = registry or wire_registry()
    for disclaimer in analysis.disclaimers:
        owner = notice_owner(disclaimer.sentence, registry) if disclaimer.policy else None
        if owner and not registry.same(owner, source):
            for claim in claims:
                if (claim["kind"] == "notice" and registry.same(claim["resolved"] or claim["name"], owner)
                        and _POLICY_RANK.get(disclaimer.policy, 0) > _POLICY_RANK.get(claim.get("policy"), 0)):
                    claim["policy"], claim["policy_from"] = disclaimer.policy, disclaimer.sentence
            continue
        aggregator |= disclaimer.aggregator
        no_edits |= disclaimer.no_edits
        if _POLICY_RANK.get(disclaimer.policy, 0) > _POLICY_RANK.get(policy, 0):
            policy, sentence = disclaimer.policy, disclaimer.sentence
    return IndexedDoc(
        id=article.id, path=article.path, text=article.text, content_hash=content_hash(article),
        title=article.title or article.meta.get("first_line_title"), source=source, url=article.url,
        published=article.published_iso(), publisher=article.publisher, license=article.license,
        language=analysis.language, minhash=fp.hashvalues, simhash=int(fp.simhash.value),
        band_keys=fp.band_keys(params), simhash_keys=fp.simhash_keys(params), passage_keys=fp.passage_keys,
        shingle_count=fp.shingle_count, policy=policy, policy_from=sentence, no_edits=no_edits,
        aggregator=aggregator, claims=claims,
        screen=screen_text(analysis), offsets=screen_offsets(analysis),
        line_keys=distinct_keys(analysis.line_keys),
    )


# -- worker processes ------------------------------------------------------------------------
_WORKER: dict[Any, Any] = {}


@contextlib.contextmanager
def _frozen_for_fork() -> Iterator[None]:
    """Keep the caller's objects out of forked workers' garbage collections while a pool runs
    (Python's advice for fork-based pools): a worker neither walks a large parent's objects nor
    copies their memory pages by touching them. What the caller had frozen before stays frozen."""
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


def _init_worker(params: FingerprintParams, registry: NameRegistry) -> None:
    # The registry is made once by the parent: forked workers share it instead of each
    # normalising every name of a rules file that may list 100,000 sources.
    _WORKER["params"] = params
    _WORKER["registry"] = registry


def _analyse_for_index(articles: list[Article]) -> list[IndexedDoc | Article]:
    """The index documents of ``articles``, analysed together; if the batch fails, each article is
    analysed alone and one that still fails comes back as itself with ``error`` set (reported as
    not indexed), so one file cannot end a build."""
    try:
        return list(_index_documents(articles))
    except Exception:  # retried article by article below, to name the one that fails
        pass
    out: list[IndexedDoc | Article] = []
    for article in articles:
        try:
            out.extend(_index_documents([article]))
        except Exception as exc:
            article.error = f"could not be analysed ({type(exc).__name__}: {exc}); please report this with the file"
            out.append(article)
    return out


def _index_documents(articles: list[Article]) -> list[IndexedDoc]:
    params: FingerprintParams = _WORKER["params"]
    registry: NameRegistry = _WORKER["registry"]
    # Corpus documents need no language: shingling follows the script, and only scanned
    # articles report a language. Skipping langdetect halves the cost of indexing.
    docs = []
    for article, analysis in zip(articles, analyse_many(articles, params, registry, detect=False), strict=True):
        resolve_claims(analysis.attribution, registry)
        docs.append(indexed_doc(article, analysis, params, registry))
    return docs


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_index(
    paths: Iterable[str | Path], location: str, rules: Rules, *, jobs: int = 1, prune: bool = False,
    include: Iterable[str] = (), exclude: Iterable[str] = (), progress: Progress | None = None,
    follow_symlinks: bool = False, shard: Shard | None = None,
) -> BuildResult:
    """Add (upsert) every article under ``paths`` to the index; with ``prune``, drop ids not seen.

    With ``shard`` (K of N), only the corpus files of that shard are read
    (:mod:`provenance.documents.shards`): N builds, one per shard, run one after the other or at
    once on N machines writing to one shared index, index the whole corpus. ``prune`` is refused
    with a shard: a shard sees only its own files, and the index does not record which shard a
    document came from, so it could not tell the ids of removed files from the other shards' ids.

    Files that cannot be read are listed in the result (``unreadable``, ``skipped``), not indexed.
    """
    if prune and shard is not None:
        raise ConfigError(f"--prune cannot be combined with --shard {shard}: a shard reads only its own files and "
                          "cannot tell removed documents from those of other shards; prune with one build of the "
                          "whole corpus (without --shard) or remove ids with `provenance index remove`")
    progress = progress or _NoProgress()
    params = rules.fingerprint
    result = BuildResult()
    with open_index(location, params, create=True) as index:
        registry = registry_from_rules(rules)
        _set_rekey(index, params, registry)
        existing = index.content_hashes()
        walk = FileWalk(paths, include, exclude, follow_symlinks)
        files = list(walk)
        result.walked = len(files)
        if shard is not None:
            files = [found for found in files if shard.holds(found.rel)]
        result.files = len(files)
        result.skipped, result.unused_includes = walk.skipped, walk.unused_includes
        progress.start("indexing", len(files))
        seen: set[str] = set()
        cache: dict[Path, dict[str, Any]] = {}

        def changed_articles() -> Iterator[Article]:
            for found in files:
                for article in load_found(found, cache, rules.limits):
                    if not article.readable:
                        result.unreadable.append(article)
                        continue
                    seen.add(article.id)
                    known = existing.get(article.id)  # a new article is not hashed here (its worker hashes it)
                    if known is not None and known == content_hash(article):
                        result.unchanged += 1
                        continue
                    yield article
                progress.advance()

        _init_worker(params, registry)
        executor = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(params, registry)) if jobs > 1 else None

        def analysed(articles: Iterator[Article]) -> Iterator[list[IndexedDoc | Article]]:
            """Analysed articles in order, a write's worth at a time; with workers, the next batch is
            analysed while this one is written."""
            if executor is None:
                for batch in _batches(articles, BATCH):
                    yield _analyse_for_index(batch)
                return
            # Pieces of a quarter of a batch per worker go out as soon as they are read, so the
            # workers start on the first piece, not the first batch; a batch is written once its
            # pieces are back, with the next batch's pieces out. The last pieces are written one by
            # one as they come back: the writer's last work overlaps the workers' instead of
            # following it.
            pieces = jobs * 2
            in_flight: deque[Future[list[IndexedDoc | Article]]] = deque()
            for piece in _batches(articles, max(1, BATCH // pieces)):
                in_flight.append(executor.submit(_analyse_for_index, piece))
                if len(in_flight) >= 2 * pieces:
                    yield [doc for _ in range(pieces) for doc in in_flight.popleft().result()]
            while in_flight:
                yield in_flight.popleft().result()

        try:
            with _frozen_for_fork() if executor else contextlib.nullcontext():
                for analysed_batch in analysed(changed_articles()):
                    docs = [doc for doc in analysed_batch if isinstance(doc, IndexedDoc)]
                    result.unreadable += [doc for doc in analysed_batch if isinstance(doc, Article)]
                    counts = index.add(docs)
                    result.added += counts["added"]
                    result.updated += counts["updated"]
                    result.unchanged += counts["unchanged"]
        finally:
            if executor:
                executor.shutdown(cancel_futures=True)
            progress.stop()
        if prune:
            gone = [doc_id for doc_id in existing if doc_id not in seen]
            if gone:
                result.removed = index.remove(gone)
    return result


def _set_rekey(index: IndexBackend, params: FingerprintParams, registry: NameRegistry) -> None:
    if hasattr(index, "set_rekey"):

        def rekey(text: str) -> Rekeyed:
            analysis = analyse(Article(id="", path="", text=text), params, registry, detect=False)
            return Rekeyed(analysis.fingerprint, distinct_keys(analysis.line_keys))

        index.set_rekey(rekey)


def copy_index(source: str, destination: str, rules: Rules | None = None,
               progress: Progress | None = None) -> int:
    """Copy every document of one index into another (any backends); returns documents copied.

    SimHash and metadata are taken as stored, and the MinHash where the source keeps one (Redis).
    Everything else (passage keys, the screen text, a MinHash the source does not keep) is
    recomputed from the stored text with the source index's parameters, giving the same values.
    """
    from provenance.fingerprint import band_keys, simhash_keys

    progress = progress or _NoProgress()
    rules = rules or Rules()
    copied = 0
    # legacy: a Redis index of the pickled layout is read through its documents only, to migrate it
    with open_index(source, None, readonly=True, legacy=True) as src:
        params = src.params
        with open_index(destination, params, create=True) as dst:
            registry = registry_from_rules(rules)
            _set_rekey(dst, params, registry)
            progress.start("copying", src.count())
            try:
                for batch in src.iter_docs():
                    docs = []
                    for doc in batch:
                        analysis = analyse(Article(id=doc.id, path=doc.path, text=doc.text), params, registry,
                                           detect=False, known_claims=doc.claims)
                        fp = analysis.fingerprint
                        minhash = doc.minhash if doc.minhash is not None else fp.hashvalues
                        docs.append(IndexedDoc(
                            id=doc.id, path=doc.path, text=doc.text, content_hash=doc.content_hash, title=doc.title,
                            source=doc.source, url=doc.url, published=doc.published, publisher=doc.publisher,
                            license=doc.license, language=doc.language, minhash=minhash, simhash=doc.simhash,
                            band_keys=band_keys(minhash, params), simhash_keys=simhash_keys(doc.simhash, params),
                            passage_keys=fp.passage_keys, shingle_count=doc.shingle_count, policy=doc.policy,
                            policy_from=doc.policy_from, no_edits=doc.no_edits, aggregator=doc.aggregator,
                            claims=doc.claims, screen=screen_text(analysis),
                            offsets=screen_offsets(analysis), line_keys=distinct_keys(analysis.line_keys),
                        ))
                    counts = dst.add(docs)
                    copied += counts["added"] + counts["updated"] + counts["unchanged"]
                    progress.advance(len(batch))
            finally:
                progress.stop()
    return copied


def build_corpus_index(corpus: list[str | Path], rules: Rules, location: str, *, jobs: int = 1,
                       progress: Progress | None = None, follow_symlinks: bool = False) -> BuildResult:
    """Bring the embedded index at ``location`` in step with the corpus folders of ``scan --corpus``:
    it then holds exactly their articles, so ``index stats``, ``explain``, ``check`` and a later
    ``scan`` read the same index from the same configuration.

    An index in the tool's own folder (``.provenance/``) written by another version (schema) or with
    other fingerprint settings is started afresh instead of failing the scan; anywhere else the
    error stands (the file may be someone's to keep).
    """
    reason = None
    if os.path.exists(location) and Path(location).resolve().parent.name == CACHE_FOLDER:
        try:
            open_index(location, rules.fingerprint, readonly=True).close()
        except IndexError_ as exc:
            reason = str(exc)
            for path in (location, location + "-wal", location + "-shm"):
                if os.path.exists(path):
                    os.remove(path)
    result = build_index(corpus, location, rules, jobs=jobs, prune=True, progress=progress,
                         follow_symlinks=follow_symlinks)
    result.rebuilt = reason
    return result


def analyse_article(article: Article, book: PolicyBook, params: FingerprintParams,
                    chrome: Chrome | None = None) -> Analysis:
    return analyse_articles([article], book, params, chrome)[0]


def analyse_articles(articles: list[Article], book: PolicyBook, params: FingerprintParams,
                     chrome: Chrome | None = None) -> list[Analysis]:
    """Analyses of readable articles, tokenised and fingerprinted together, with credits resolved;
    with ``chrome`` (the chrome of the index they are scanned against), lines that are chrome of an
    indexed source are boilerplate and give no credit."""
    analyses = analyse_many(articles, params, book.registry, publisher=book.rules.publisher, chrome=chrome)
    for analysis in analyses:
        resolve_claims(analysis.attribution, book.registry)
    return analyses


def _lines_held_thrice(text: str, matches: list[Any]) -> bool:
    """Whether passages of three or more matches, of two or more sources, touch one line of the
    article, copies of the article's own story counted as one (they are one story): the only case
    :meth:`Chrome.shared_template` can find a template in (it reads every matched text again, so
    it is asked only then)."""
    if len(matches) < 3 or len({m.doc.source for m in matches}) < 2:
        return False
    breaks = []
    at = text.find("\n")
    while at >= 0:
        breaks.append(at)
        at = text.find("\n", at + 1)
    holders: list[set[int]] = []
    story: set[int] = set()  # the lines touched by copies of the article's story, as one holder
    for match in matches:
        lines = story if is_story_copy(match.scores) else set()
        for passage in match.passages:
            start, end = passage.article
            lines.update(range(bisect_right(breaks, start), bisect_right(breaks, max(start, end - 1)) + 1))
        if lines is not story:
            holders.append(lines)
    if story:
        holders.append(story)
    if len(holders) < 3:
        return False
    held: dict[int, int] = {}
    for lines in holders:
        for line in lines:
            held[line] = held.get(line, 0) + 1
    return any(count >= 3 for count in held.values())


class Scanner:
    """Scans articles against an open index with one set of rules."""

    def __init__(self, index: IndexBackend, rules: Rules, book: PolicyBook | None = None,
                 chrome: Chrome | None = None, documents: int | None = None, view_chars: int | None = None) -> None:
        self.index = index
        self.rules = rules
        self.params = index.params
        self.book = book or PolicyBook(rules, index.sources())
        # Each source's chrome, as the rule finds it in the index now (text.chrome): incoming
        # articles are analysed with it, and matched corpus documents are cleaned with it.
        self.chrome = chrome if chrome is not None else Chrome.load(index)
        self.documents = index.count() if documents is None else documents  # given: counted with book and chrome
        self.matcher = Matcher(index, self.params, self.book.registry, self.book.min_passage,
                               df_threshold=rules.defaults.df_threshold(self.documents), cache_chars=view_chars)

    def analyse(self, articles: list[Article]) -> list[Analysis | None]:
        """Analyses of the readable articles among ``articles`` (None for the others), made in one
        batch; if the batch fails, all are None and each article is analysed again on its own, so
        that the failure is reported for its own file."""
        readable = [a for a in articles if a.readable]
        try:
            analyses = iter(analyse_articles(readable, self.book, self.params, self.chrome))
        except Exception:
            return [None] * len(articles)
        return [next(analyses) if a.readable else None for a in articles]

    def scan_article(self, article: Article,
                     analysis: Analysis | None = None) -> tuple[Item, Analysis | None, list[Any]]:
        """The report item of one article (``analysis``: its analysis, if already made)."""
        if not article.readable:
            return Item(path=article.path, id=article.id, verdict=UNREADABLE,
                        message=f"{article.path}: {article.error}", rule="unreadable"), None, []
        if analysis is None:
            analysis = analyse_article(article, self.book, self.params, self.chrome)
        matches = self.matcher.find(analysis)
        if _lines_held_thrice(article.text, matches):
            # sister sites' shared template among the matched pages: chrome too, read again without it
            template = self.chrome.shared_template(analysis.line_keys, [m.doc for m in matches], self.index,
                                                   [is_story_copy(m.scores) for m in matches])
            if template.size:
                analysis = analyse_article(article, self.book, self.params, self.chrome.with_keys(template))
                matches = self.matcher.find(analysis)
        self.chrome.clean_all(match.doc for match in matches)  # claims and titles of chrome lines go
        groups = group_matches(matches)
        item = Item(
            path=article.path, id=article.id, verdict=ORIGINAL, language=analysis.language,
            message="No corpus source explains this article.", rule="no verified match",
            claims=[c.to_dict() for c in analysis.attribution.claims],
            people=[{"role": p.role, "name": p.name, "span": list(p.span)} for p in analysis.attribution.people],
            boilerplate=[{"kind": b.kind, "span": [b.start, b.end]} for b in analysis.blocks],
            text=article.text,
        )
        if not groups:
            return item, analysis, groups
        judged = []
        origins = {id(g): origin_of(g, self.book).outlet or "" for g in groups}
        originals = set(origins.values())
        for group in groups:
            mine = origins[id(group)]
            judgement = judge_group(analysis, group, self.book, originals - {mine})
            for member in group.members + group.extras:
                member.verdict = judgement.verdict
                member.kind = judgement.kind
            judged.append((group, judgement))
        verdict = most_severe([j.verdict for _, j in judged])
        group, judgement = next((g, j) for g, j in judged if j.verdict == verdict)
        original = group.original
        item.verdict = verdict
        item.message = judgement.message
        item.rule = judgement.rule
        item.source = {
            "id": original.doc.id, "name": judgement.outlet or f"unknown (via {original.doc.source})",
            "url": original.doc.url,
            "published": original.doc.published, "title": original.doc.title, "policy": judgement.policy.policy,
            "policy_from": judgement.policy.policy_from,
        }
        item.chain = [{"id": m.doc.id, "name": m.doc.source, "published": m.doc.published} for m in group.chain]
        if judgement.origin is not None and judgement.origin.external:
            # An original outside the corpus (DESIGN §6): no id; the corpus copy that credits it.
            item.source.update({"id": None, "url": judgement.policy.url, "published": None, "external": True,
                                "via": original.doc.id})
            item.chain.insert(0, {"id": None, "name": judgement.outlet, "published": None, "external": True})
        ordered = [m for g, _ in judged for m in g.members + g.extras]
        ordered.sort(key=match_rank)
        item.source_texts = {m.doc.id: m.doc.text for m in ordered}
        item.matches = [
            {"id": m.doc.id, "name": m.doc.source, "verdict": m.verdict, "kind": m.kind,
             "published": m.doc.published, "scores": m.scores.to_dict(),
             "passages": [p.to_dict() for p in m.passages]}
            for m in ordered
        ]
        return item, analysis, groups


def _scan_safely(scanner: Scanner, article: Article, analysis: Analysis | None = None) -> Item:
    """Scan one article; an unexpected failure becomes an error item naming the file, not a lost run."""
    try:
        item, _, _ = scanner.scan_article(article, analysis)
    except IndexError_:
        raise
    except Exception as exc:  # one bad article must not end the run
        return Item(path=article.path, id=article.id, verdict="unreadable", rule="internal error",
                    message=f"{article.path}: could not be analysed ({type(exc).__name__}: {exc}); "
                            "please report this with the file")
    return item


def scan(
    paths: Iterable[str | Path], location: str, rules: Rules, *, fail_on: str = "error",
    include: Iterable[str] = (), exclude: Iterable[str] = (), progress: Progress | None = None,
    on_item: Callable[[Item], None] | None = None, skip_under: Iterable[str | Path] = (), jobs: int = 1,
    follow_symlinks: bool = False,
) -> Report:
    """Scan every article under ``paths`` against the index at ``location`` (opened read-only).

    Files under ``skip_under`` (the corpus folders) are not scanned: a corpus document is not an
    article about to be published. With ``jobs`` > 1 the files are shared among processes, each
    with its own connection to the index; the report keeps the files' order. Files the walk did
    not open (FIFOs, links outside ``paths``) are listed in ``Report.skipped``.
    """
    progress = progress or _NoProgress()
    with open_index(location, rules.fingerprint, readonly=True) as index:
        corpus = [Path(os.path.realpath(p)) for p in skip_under]
        walk = FileWalk(paths, include, exclude, follow_symlinks)
        files = [f for f in walk if not corpus or not is_under(f.real or Path(os.path.realpath(f.path)), corpus)]
        items: list[Item] = []
        progress.start("scanning", len(files))
        try:
            if jobs > 1 and len(files) >= 2 * jobs:
                chunks = [files[i : i + _SCAN_CHUNK] for i in range(0, len(files), _SCAN_CHUNK)]
                # Rules, policy book and chrome go to each worker once, made here: forked workers
                # share them (a rules file may list 100,000 sources, and finding the chrome reads
                # every source's lines; tasks carry only their files).
                book = PolicyBook(rules, index.sources())
                shared = (book, Chrome.load(index), index.count())
                with _frozen_for_fork(), ProcessPoolExecutor(jobs, initializer=_init_scan_worker,
                                                             initargs=(location, rules, shared)) as executor:
                    for chunk_items in executor.map(_scan_chunk, chunks):
                        items.extend(chunk_items)
                        for item in chunk_items:
                            if on_item:
                                on_item(item)
                        progress.advance(len({i.path.split(".jsonl:")[0] for i in chunk_items}) or 1)
            else:
                for file_items in _scan_files(Scanner(index, rules), files):
                    items.extend(file_items)
                    for item in file_items:
                        if on_item:
                            on_item(item)
                    progress.advance()
        finally:
            progress.stop()
        info = {"backend": index.backend_name, "location": index.location, "documents": index.count(),
                "params": index.params.to_dict()}
    return Report(items=items, index=info, fail_on=fail_on, skipped=walk.skipped, unused_includes=walk.unused_includes)


_SCAN_CHUNK = 16  # files per task: one analysis batch, and a short wait for the last task
_ANALYSIS_BATCH = 16  # articles analysed together: one tokenising and fingerprinting pass for all


def _scan_files(scanner: Scanner, files: list[FoundFile]) -> Iterator[list[Item]]:
    """The items of each file, in order; articles of consecutive files are analysed in batches."""
    cache: dict[Path, dict[str, Any]] = {}
    pending: list[list[Article]] = []
    waiting = 0
    for found in files:
        articles = load_found(found, cache, scanner.rules.limits)
        pending.append(articles)
        waiting += len(articles)
        if waiting >= _ANALYSIS_BATCH:
            yield from _scan_pending(scanner, pending)
            pending, waiting = [], 0
    if pending:
        yield from _scan_pending(scanner, pending)


def _scan_pending(scanner: Scanner, pending: list[list[Article]]) -> Iterator[list[Item]]:
    flat = [article for articles in pending for article in articles]
    items: list[Item] = []
    for start in range(0, len(flat), _ANALYSIS_BATCH):
        part = flat[start : start + _ANALYSIS_BATCH]
        items.extend(_scan_safely(scanner, article, analysis)
                     for article, analysis in zip(part, scanner.analyse(part), strict=True))
    done = 0
    for articles in pending:
        yield items[done : done + len(articles)]
        done += len(articles)


def _init_scan_worker(location: str, rules: Rules, shared: tuple[PolicyBook, Chrome, int]) -> None:
    _WORKER["scan"] = (location, rules, shared)


def _scan_chunk(files: list[FoundFile]) -> list[Item]:
    """Worker: scan a run of files with this process's own index connection and cache."""
    location, rules, (book, chrome, documents) = _WORKER["scan"]
    scanner = _WORKER.get(("scanner", location))
    if scanner is None:
        scanner = Scanner(open_index(location, rules.fingerprint, readonly=True), rules, book, chrome, documents)
        _WORKER[("scanner", location)] = scanner
    return [item for file_items in _scan_files(scanner, files) for item in file_items]


def ensure_index(location: str) -> None:
    if not location:
        raise IndexError_("no index given: pass --index FILE or --corpus PATH")
