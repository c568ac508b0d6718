"""Command-line interface (typer): options → configuration → library call → formatter → exit code.

Every command is a thin shell over :mod:`provenance.engine`; errors the user can fix end with a
one-line message and exit code 2 (DESIGN §7).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from provenance import __version__
from provenance.config import Settings, resolve
from provenance.documents.shards import parse_shard
from provenance.documents.walk import ARTICLE_SUFFIXES, Skipped
from provenance.engine import build_corpus_index, build_index, scan
from provenance.errors import ProvenanceError
from provenance.index import open_index
from provenance.index.location import is_url, mask_url
from provenance.progress import RichProgress
from provenance.report.formatters import formatter, names
from provenance.report.model import Report
from provenance.rules import Rules
from provenance.verdicts import FAIL_ON, SEVERITY_RANK

_HELP = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    name="provenance", add_completion=False, no_args_is_help=True, rich_markup_mode=None, context_settings=_HELP,
    help="Find republished news text, name its original source and judge the attribution.",
)
index_app = typer.Typer(no_args_is_help=True, context_settings=_HELP,
                        help="Build and inspect the index of known originals.")
app.add_typer(index_app, name="index")
rules_app = typer.Typer(no_args_is_help=True, context_settings=_HELP, help="Show and check the rules (source policies).")
app.add_typer(rules_app, name="rules")
schema_app = typer.Typer(no_args_is_help=True, context_settings=_HELP, help="Print the JSON Schemas of the tool's outputs.")
app.add_typer(schema_app, name="schema")

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"provenance: error: {message}", markup=False)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"provenance {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Find republished news text, name its original source and judge the attribution."""


def _check_paths(paths: list[Path], origin: str = "command line") -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        named = "" if origin == "command line" else f" (from {origin})"
        raise _fail(f"no such file or directory: {', '.join(missing)}{named}")


RulesOpt = Annotated[Path | None, typer.Option("--rules", metavar="FILE", help="Rules file (provenance.toml or "
                                               "pyproject.toml); default: found by walking up from the paths.")]
IndexOpt = Annotated[str | None, typer.Option("--index", metavar="FILE|URL", help="Index file, "
                                              "redis://host:port/db?prefix=NAME or postgresql://user@host:port/db?schema=NAME"
                                              " [default: .provenance/index.sqlite]")]
CorpusOpt = Annotated[list[Path] | None, typer.Option(
    "--corpus", metavar="FOLDER", help="Corpus folder (repeatable): keep the index (--index, default "
    ".provenance/index.sqlite) in step with it, then use it.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summaries on stderr.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say more on stderr: every file skipped, "
                                          "what was indexed, how long each step took.")]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", metavar="table|json|sarif|html",
                                               help="Report format [default: table].")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="Write the report to this file (- for stdout).")]
FailOnOpt = Annotated[str | None, typer.Option("--fail-on", metavar="error|info|never",
                                               help="Lowest severity that fails the run [default: error].")]
ExitZeroOpt = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings reach --fail-on "
                                           "(2 still reports usage and index errors).")]
ColorOpt = Annotated[str, typer.Option("--color", metavar="auto|always|never", help="Colour the table: auto "
                                       "(a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always, never.")]
BaselineOpt = Annotated[Path | None, typer.Option("--baseline", metavar="FILE",
                                                  help="Report only findings not in this baseline.")]
WriteBaselineOpt = Annotated[Path | None, typer.Option("--write-baseline", metavar="FILE",
                                                       help="Record today's findings here.")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, metavar="N",
                                             help="Processes for fingerprinting and scanning.")]
FollowOpt = Annotated[bool, typer.Option(
    "--follow-symlinks", help="Read files and folders that symbolic links lead to outside the given paths "
    "(by default they are skipped with a warning).")]
IncludeOpt = Annotated[list[str] | None, typer.Option(
    "--include", metavar="GLOB", help="Only files matching this glob (repeatable; relative to a scanned folder "
    "or as the path is shown, e.g. 'articles/*.md').")]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude", metavar="GLOB",
                                                      help="Skip files matching this glob (repeatable).")]
COLORS = ("auto", "always", "never")


def _use_color(choice: str, stream: Any) -> bool:
    """Whether to colour output on ``stream`` (https://no-color.org, FORCE_COLOR)."""
    if choice not in COLORS:
        raise _fail(f"--color must be one of {', '.join(COLORS)}, not {choice!r}")
    if choice != "auto":
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _settings(rules_file: Path | None, near: list[Path], **flags: Any) -> Settings:
    try:
        settings = resolve(rules_file, near, flags)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    for warning in settings.warnings:
        _err.print(f"provenance: warning: {warning}", markup=False)
    return settings


_SHOWN = 10  # files named in the summary of unsupported files (all with --verbose)


def _report_skipped(skipped: list[Skipped], verbose: bool = False, unused_includes: list[str] | None = None) -> None:
    """Stderr lines for the files a run did not open: one each for FIFOs, links outside the folders
    and the like; one summary (every name with ``verbose``) for files of formats not read."""
    for entry in skipped:
        if not entry.unsupported:
            _err.print(f"provenance: warning: {entry.path}: skipped: {entry.reason}", markup=False)
    unsupported = [entry.path for entry in skipped if entry.unsupported]
    if unsupported:
        shown = unsupported if verbose else unsupported[:_SHOWN]
        more = len(unsupported) - len(shown)
        names = ", ".join(shown) + (f" and {more} more (-v names them all)" if more else "")
        _err.print(f"provenance: warning: {len(unsupported)} file{'s' if len(unsupported) > 1 else ''} skipped, "
                   f"not in a format provenance reads ({' '.join(ARTICLE_SUFFIXES)}): {names}", markup=False)
    for pattern in unused_includes or []:
        _err.print(f"provenance: warning: --include {pattern!r} matched no file", markup=False)


def _location(settings: Settings, quiet: bool, progress: RichProgress, follow_symlinks: bool = False,
              verbose: bool = False) -> str:
    """The index every command reads: ``--index`` / ``index`` / the default; with a corpus
    (``--corpus``, ``[scan] corpus``) that embedded index is first brought in step with it."""
    corpus = [Path(p) for p in settings["corpus"]]
    location = str(settings["index"])
    if not corpus:
        return location
    if is_url(location):
        raise _fail(f"a corpus ({settings.origins['corpus']}) keeps an embedded index, but the index is "
                    f"{mask_url(location)} ({settings.origins['index']}): build a shared index with "
                    "`provenance index build`, or give --index a file")
    _check_paths(corpus, settings.origins["corpus"])
    started = time.perf_counter()
    built = build_corpus_index(list(corpus), settings.rules, location, jobs=settings["jobs"], progress=progress,
                               follow_symlinks=follow_symlinks)
    if built.rebuilt and not quiet:
        _err.print(f"index {location}: started afresh ({built.rebuilt})", markup=False)
    _report_skipped(built.skipped, verbose)
    for article in built.unreadable:
        _err.print(f"provenance: warning: {article.path}: {article.error} (not indexed)", markup=False)
    if not quiet or verbose:
        took = f" in {time.perf_counter() - started:.1f} s" if verbose else ""
        _err.print(f"index {location}: {built.indexed} documents of the corpus ({built.added} added, "
                   f"{built.updated} updated, {built.removed} removed){took}", markup=False)
    return location


@index_app.command("build")
def index_build(
    paths: Annotated[list[Path], typer.Argument(hidden=True, metavar="PATH", help="Corpus folders or files.")],
    index: IndexOpt = None,
    rules_file: RulesOpt = None,
    jobs: JobsOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove indexed documents no longer under PATHS "
                                        "(not with --shard).")] = False,
    shard: Annotated[str | None, typer.Option(
        "--shard", metavar="K/N", help="Read only shard K of N of the corpus files (1 <= K <= N): N builds, at "
        "once on N machines or one after another, fill one index together. A file's shard depends only on its path "
        "under the corpus folder given, so give every builder the same folder (each its own copy is fine); see "
        "docs/sharded-builds.md.")] = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    follow_symlinks: FollowOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Add every article under PATH (corpus folders or files) to the index (upsert by id;
    unchanged files are skipped)."""
    try:
        part = parse_shard(shard) if shard is not None else None
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    _check_paths(paths)
    settings = _settings(rules_file, paths, index=index, jobs=jobs)
    location = str(settings["index"])
    started = time.perf_counter()
    try:
        result = build_index(paths, location, settings.rules, jobs=settings["jobs"], prune=prune,
                             include=include or (), exclude=exclude or (),
                             progress=RichProgress(False if quiet else None), follow_symlinks=follow_symlinks,
                             shard=part)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    _report_skipped(result.skipped, verbose, result.unused_includes)
    if verbose:
        _err.print(f"{mask_url(location)}: {result.indexed} documents from {', '.join(map(str, paths))} in "
                   f"{time.perf_counter() - started:.1f} s", markup=False)
    for article in result.unreadable:
        _err.print(f"provenance: warning: {article.path}: {article.error} (not indexed)", markup=False)
    if not quiet:
        of_shard = f"shard {part} ({result.files} of {result.walked} files): " if part else ""
        _err.print(
            f"{mask_url(location)}: {of_shard}{result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, "
            f"{result.removed} removed, {len(result.unreadable)} unreadable, {len(result.skipped)} skipped",
            markup=False,
        )


@index_app.command("stats")
def index_stats(
    index: IndexOpt = None,
    rules_file: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Documents, sources, size and fingerprint parameters of an index."""
    settings = _settings(rules_file, [], index=index)
    try:
        with open_index(str(settings["index"]), None, readonly=True) as opened:
            stats = opened.stats()
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    for key, value in stats.items():
        if key == "params":
            typer.echo("params:")
            for name, item in value.items():
                typer.echo(f"  {name}: {item}")
        else:
            typer.echo(f"{key}: {value}")


@index_app.command("copy")
def index_copy(
    source: Annotated[str, typer.Argument(hidden=True, metavar="SOURCE", help="Index to copy from (file, redis:// or postgresql:// URL).")],
    destination: Annotated[str, typer.Argument(hidden=True, metavar="DESTINATION", help="Index to copy into (created if missing).")],
    quiet: QuietOpt = False,
) -> None:
    """Copy the index SOURCE (a file, redis:// or postgresql:// URL) into DESTINATION (created if
    missing), e.g. the embedded file into a shared Redis or PostgreSQL."""
    from provenance.engine import copy_index

    try:
        copied = copy_index(source, destination, progress=RichProgress(False if quiet else None))
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if not quiet:
        _err.print(f"copied {copied} documents from {mask_url(source)} to {mask_url(destination)}", markup=False)


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(hidden=True, metavar="ID", help="Document ids to remove.")],
    index: IndexOpt = None,
    rules_file: RulesOpt = None,
) -> None:
    """Remove the documents with these IDs from the index."""
    settings = _settings(rules_file, [], index=index)
    try:
        with open_index(str(settings["index"]), None) as opened:
            removed = opened.remove(ids)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"removed {removed} of {len(ids)}")


def _run_scan(
    paths: list[Path], settings: Settings, *, quiet: bool, changed_since: str | None,
    baseline: Path | None, write_baseline: Path | None, follow_symlinks: bool = False, verbose: bool = False,
    exit_zero: bool = False,
) -> Report:
    from provenance.baseline import apply_baseline, read_baseline
    from provenance.baseline import write_baseline as write

    try:
        targets: list[Path] = paths
        if changed_since:  # a bad revision fails before any index is built
            from provenance.gitchanges import changed_files

            targets = [Path(os.path.relpath(p)) for p in changed_files(paths, changed_since)]
            if not quiet:
                _err.print(f"{len(targets)} article files changed since {changed_since}", markup=False)
        progress = RichProgress(False if quiet else None)
        location = _location(settings, quiet, progress, follow_symlinks, verbose)
        skip = settings["corpus"]  # the corpus's own files are no articles to check
        started = time.perf_counter()
        report = scan(targets, location, settings.rules, fail_on=settings["fail_on"], include=settings["include"],
                      exclude=settings["exclude"], progress=progress, skip_under=skip,
                      jobs=settings["jobs"], follow_symlinks=follow_symlinks) if targets else _empty_report(
                          location, settings)
        report.exit_zero = exit_zero
        _report_skipped(report.skipped, verbose, report.unused_includes)
        if verbose:
            _err.print(f"scanned {len(report.items)} articles against {mask_url(location)} "
                       f"({report.index.get('documents')} documents) in {time.perf_counter() - started:.1f} s",
                       markup=False)
        if not report.items and not changed_since:
            raise _fail(f"no articles found under {', '.join(str(p) for p in targets)}"
                        + (f" ({len(report.skipped)} files skipped)" if report.skipped else ""))
        known_file = baseline or (Path(settings["baseline"]) if settings["baseline"] else None)
        if known_file and not write_baseline:
            dropped = apply_baseline(report, read_baseline(known_file))
            if not quiet and dropped:
                _err.print(f"{dropped} findings already in the baseline {known_file} not reported", markup=False)
        if write_baseline:
            count = write(report, write_baseline)
            if not quiet:
                _err.print(f"{write_baseline}: baseline of {count} findings written", markup=False)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    return report


def _empty_report(location: str, settings: Settings) -> Report:
    with open_index(location, settings.rules.fingerprint, readonly=True) as opened:
        info = {"backend": opened.backend_name, "location": opened.location, "documents": opened.count(),
                "params": opened.params.to_dict()}
    return Report(items=[], index=info, fail_on=settings["fail_on"])


def _emit(report: Report, output_format: str, output: Path | None, quiet: bool, color: str = "auto") -> None:
    try:
        render = formatter(output_format)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    to_stdout = output is None or str(output) == "-"
    if output_format == "table" and to_stdout:
        from provenance.report.table_format import render_table

        text = render_table(report, width=Console().width if sys.stdout.isatty() else None,
                            color=_use_color(color, sys.stdout))
    else:
        text = render(report)
    text = _writable(text)
    if output is not None and not to_stdout:
        # Written beside and renamed into place: a failure never leaves a truncated report.
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise _fail(f"{output}: cannot write the report: {exc.strerror}") from None
        if not quiet:
            counts = ", ".join(f"{n} {v}" for v, n in report.by_verdict().items())
            _err.print(f"{output}: {len(report.items)} scanned ({counts or 'nothing'}); exit code {report.exit_code}",
                       markup=False)
    else:
        sys.stdout.write(text)


def _writable(text: str) -> str:
    """``text`` as it can be written in UTF-8: a lone surrogate (which the loaders refuse, so only
    from an unforeseen path) becomes an escape instead of failing the whole report."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


@app.command("scan")
def scan_command(
    paths: Annotated[list[Path] | None, typer.Argument(hidden=True,
        metavar="PATH",
        help="Articles or folders of articles to check [default: [scan] paths from the configuration, else .]")] = None,
    index: IndexOpt = None,
    corpus: CorpusOpt = None,
    rules_file: RulesOpt = None,
    output_format: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    exit_zero: ExitZeroOpt = False,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = None,
    changed_since: Annotated[str | None, typer.Option(
        "--changed-since", metavar="REV", help="Scan only article files changed in git since this revision.")] = None,
    jobs: JobsOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    follow_symlinks: FollowOpt = False,
    color: ColorOpt = "auto",
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Check the articles under PATH (files or folders; default: [scan] paths from the
    configuration, else .) against the index; exit 1 when a finding reaches --fail-on, 2 on a usage
    error or when no article is found."""
    _check_paths(list(paths or []) + list(corpus or []))
    settings = _settings(rules_file, list(paths or []) + list(corpus or []), index=index, corpus=corpus,
                         fail_on=fail_on, format=output_format, jobs=jobs, include=include, exclude=exclude,
                         paths=[str(p) for p in paths or []])
    paths = [Path(p) for p in settings["paths"]]
    _check_paths(paths, settings.origins["paths"])
    if output_format is None and output is not None and output.suffix.lower() in (".json", ".sarif", ".html"):
        settings.set("format", output.suffix.lower().lstrip("."), "--output suffix")
    if settings["format"] not in names():
        raise _fail(f"unknown format {settings['format']!r}; choose one of {', '.join(names())}")
    _use_color(color, sys.stdout)  # a bad --color fails before the work
    report = _run_scan(paths, settings, quiet=quiet, changed_since=changed_since, baseline=baseline,
                       write_baseline=write_baseline, follow_symlinks=follow_symlinks, verbose=verbose,
                       exit_zero=exit_zero)
    _emit(report, settings["format"], output, quiet, color)
    raise typer.Exit(report.exit_code)


@app.command("check")
def check_command(
    files: Annotated[list[Path] | None, typer.Argument(hidden=True, metavar="FILE", help="Files to check (as a pre-commit "
                                                                             "hook passes them).")] = None,
    index: IndexOpt = None,
    corpus: CorpusOpt = None,
    rules_file: RulesOpt = None,
    fail_on: FailOnOpt = None,
    exit_zero: ExitZeroOpt = False,
    baseline: BaselineOpt = None,
    follow_symlinks: FollowOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet/--no-quiet", "-q", show_default=False,
                                        help="No progress bars or summaries on stderr (the default for a hook).")] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print findings below --fail-on, and what "
                                          "was skipped.")] = False,
) -> None:
    """Hook entry point: check FILE... (as a pre-commit hook passes them); one line per finding
    (path:line:col: verdict: message), exit code per --fail-on.

    Findings below --fail-on (attributed, permitted…) are printed only with -v. Put ``--`` before
    the files when their names may start with ``-`` (the pre-commit hook does).
    """
    from provenance.documents.walk import is_article_file, is_tool_file

    wanted = [f for f in (files or []) if f.is_dir() or (is_article_file(f) and not is_tool_file(f))]
    _check_paths(wanted)
    settings = _settings(rules_file, wanted, index=index, corpus=corpus, fail_on=fail_on)
    if not wanted:
        raise typer.Exit(0)
    report = _run_scan(wanted, settings, quiet=quiet, changed_since=None, baseline=baseline, write_baseline=None,
                       follow_symlinks=follow_symlinks, verbose=verbose, exit_zero=exit_zero)
    from provenance.report.sarif_format import item_position

    threshold = FAIL_ON[settings["fail_on"]]
    for item in report.items:
        if item.severity == "none" or (SEVERITY_RANK[item.severity] < threshold and not verbose):
            continue
        line, column = item_position(item)
        typer.echo(f"{item.path}:{line}:{column}: {item.verdict}: {item.message}")
    raise typer.Exit(report.exit_code)


@app.command("config")
def config_command(
    path: Annotated[Path | None, typer.Argument(hidden=True, metavar="PATH", help="Where to look for configuration [default: .]")] = None,
    rules_file: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The effective configuration for PATH (default: .) and where each value came from."""
    settings = _settings(rules_file, [path] if path else [])
    rows = {key: {"value": settings.shown(key), "from": settings.origins[key]} for key in sorted(settings.values)}
    if settings.discovery is not None:
        found = settings.discovery
        rows["rules_search"] = {"value": {"from": str(found.start), "to": str(found.stop),
                                          "repository": str(found.repository) if found.repository else None},
                                "from": f"walking up stops at {found.stop_reason}"}
    if settings.warnings:
        rows["rules_ignored"] = {"value": settings.warnings, "from": "walking up"}
    rows["publisher"] = {"value": settings.rules.publisher, "from": settings["rules"] or "none"}
    defaults = settings.rules.defaults
    for key in ("policy", "excerpt_max", "min_passage", "max_df", "max_df_share"):
        rows[f"defaults.{key}"] = {"value": getattr(defaults, key),
                                   "from": defaults.where.get(key, "default")}
    rows["fingerprint"] = {"value": settings.rules.fingerprint.to_dict(), "from": settings["rules"] or "default"}
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for key, row in rows.items():
        typer.echo(f"{key} = {json.dumps(row['value'], ensure_ascii=False)}    # {row['from']}")


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(hidden=True, metavar="FILE", help="The article to explain.")],
    index: IndexOpt = None,
    corpus: CorpusOpt = None,
    rules_file: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """What the tool saw in the article FILE and why it decided as it did."""
    from provenance.documents.loaders import load_one
    from provenance.engine import Scanner
    from provenance.explain import explain_article, render_text

    _check_paths([file, *(corpus or [])])
    if file.is_dir():
        raise _fail(f"{file}: is a folder; explain takes one article file (scan checks folders)")
    settings = _settings(rules_file, [file, *(corpus or [])], index=index, corpus=corpus)
    try:
        location = _location(settings, quiet, RichProgress(False if quiet else None))
        with open_index(location, settings.rules.fingerprint, readonly=True) as opened:
            scanner = Scanner(opened, settings.rules)
            explained = [explain_article(scanner, a)
                         for a in load_one(file, file.parent, str(file), limits=settings.rules.limits)]
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(explained if len(explained) > 1 else explained[0], ensure_ascii=False, indent=2))
    else:
        sys.stdout.write("".join(render_text(e) for e in explained))


@rules_app.command("show")
def rules_show(
    rules_file: RulesOpt = None,
    index: Annotated[str | None, typer.Option("--index", help="Also show sources and disclaimers from this index.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The effective policy of every source, and where it comes from."""
    from provenance.rules_report import effective_policies

    settings = _settings(rules_file, [], index=index)
    rules: Rules = settings.rules
    summaries: list[Any] | None = None
    location = str(settings["index"])
    try:
        if is_url(location) or Path(location).exists():
            with open_index(location, None, readonly=True) as opened:
                summaries = opened.sources()
        else:
            _err.print(f"provenance: note: no index at {location} ({settings.origins['index']}): only the rules "
                       "file's sources are shown, without document counts", markup=False)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    rows = effective_policies(rules, summaries)
    if as_json:
        typer.echo(json.dumps({"publisher": rules.publisher, "rules": rules.path, "sources": rows},
                              ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"rules: {rules.path or 'built-in defaults'} · publisher: {rules.publisher or '—'}")
    for column in ("source", "policy", "from", "aliases", "documents"):
        table.add_column(column, overflow="fold")
    for row in rows:
        name = row["name"] + (" (own)" if row["own"] else "") + (" (aggregator)" if row["aggregator"] else "")
        documents = "—" if row["documents"] is None else str(row["documents"])
        table.add_row(name, row["policy"], row["policy_from"], ", ".join(row["aliases"]), documents)
    Console(width=None if sys.stdout.isatty() else 160).print(table)


@rules_app.command("lint")
def rules_lint(
    rules_file: Annotated[Path | None, typer.Argument(hidden=True, metavar="FILE",
                                                      help="Rules file [default: found from the current folder]")] = None,
) -> None:
    """Check the rules FILE (default: found from the current folder) and PROVENANCE_* variables
    as scan reads them; exit 1 on a problem.

    Problems print as file:line: message, sorted by line; a misspelt key or policy gets a "did you mean".
    """
    from provenance.rules_report import lint

    try:
        settings = resolve(rules_file, [], strict=False)
    except ProvenanceError as exc:  # unreadable, or not TOML
        typer.echo(str(exc))
        raise typer.Exit(1) from None
    for warning in settings.warnings:
        _err.print(f"provenance: warning: {warning}", markup=False)
    path, rules = settings["rules"], settings.rules
    if path is None:
        raise _fail("no rules file found (provenance.toml or [tool.provenance] in pyproject.toml)")
    problems = lint(rules, settings.problems)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{path}: ok ({len(rules.sources)} sources)")


@app.command("serve")
def serve_command(
    index: IndexOpt = None,
    rules_file: RulesOpt = None,
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS",
                                      help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, metavar="PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, metavar="N", help="Check processes: with N > 1, "
                                         "checks run in N processes that take them from one queue (use one per "
                                         "core); with 1, on the serving process's threads.")] = 1,
    threads: Annotated[int | None, typer.Option("--threads", min=1, metavar="N", help="Scan threads of the "
                                                "serving process [default: one per core, at least 2; with "
                                                "--workers N, 1: they only read index statistics and documents to "
                                                "add; PROVENANCE_API_THREADS].")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", min=0, metavar="SECONDS", help="Answer 408 when a "
                                                  "request takes longer [default: 30; 0: never; "
                                                  "PROVENANCE_API_TIMEOUT].")] = None,
    max_body: Annotated[int | None, typer.Option("--max-body", min=1024, metavar="BYTES", help="Answer 413 to a "
                                                 "larger request body [default: 16 MiB; PROVENANCE_API_MAX_BODY].")] = None,
    max_articles: Annotated[int | None, typer.Option("--max-articles", min=1, metavar="N", help="Articles per POST "
                                                     "/v1/scan [default: 100; PROVENANCE_API_MAX_ARTICLES].")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Serve the HTTP API (docs/service.md): POST /v1/check, /v1/scan and /v1/documents, GET
    /v1/sources, /v1/index and /healthz, the API described at /docs, and the page for editors at /
    (paste or drop an article, see the verdict and the copied passages).

    The index and rules are found as for scan. Writes (POST /v1/documents) need the token in
    PROVENANCE_API_TOKEN; PROVENANCE_API_TOKEN_SCOPE=all asks it on every /v1 route. Stops
    gracefully on SIGTERM or Ctrl-C: requests under way are answered first.
    """
    from provenance.service import SERVE_EXTRA, missing_packages

    missing = missing_packages()
    if missing:
        raise _fail(f"provenance serve needs {', '.join(missing)}: {SERVE_EXTRA}")
    import uvicorn

    from provenance.service.app import create_app
    from provenance.service.settings import ServiceSettings

    settings = _settings(rules_file, [], index=index)
    try:
        location = _location(settings, quiet, RichProgress(False if quiet else None))
        service = ServiceSettings.build(settings, location, {"threads": threads, "timeout": timeout,
                                                             "max_body": max_body, "max_articles": max_articles},
                                        workers=workers)
        with open_index(location, settings.rules.fingerprint, readonly=True) as opened:  # fail here, not in a worker
            documents = opened.count()
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if not quiet:
        writes = "on" if service.token else "off (no PROVENANCE_API_TOKEN)"
        checking = f"{workers} check processes" if workers > 1 else f"{service.threads} scan threads"
        _err.print(f"provenance: serving {mask_url(location)} ({documents} documents) at http://{host}:{port}/ "
                   f"with {checking}; writes {writes}", markup=False)
    options: dict[str, Any] = {"host": host, "port": port, "access_log": False,  # the service logs each request
                               "log_level": "warning" if quiet else "info"}
    # uvicorn stops gracefully on SIGTERM, then raises the signal again with the handler it found:
    # this one makes that (or a SIGTERM before uvicorn listens) a clean exit 0.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        uvicorn.run(create_app(service), **options)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame: Any) -> None:
    raise typer.Exit(0)


@schema_app.command("report")
def schema_report() -> None:
    """The JSON Schema of the provenance-report/1 JSON report."""
    from provenance.schema import report_schema

    typer.echo(json.dumps(report_schema(), ensure_ascii=False, indent=2))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err.print("provenance: interrupted", markup=False)
        sys.exit(130)
