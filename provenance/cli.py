"""Command-line interface (typer): options → library call → formatter → exit code.

Every command is a thin shell over :mod:`provenance.engine`; errors the user can fix end with a
one-line message and exit code 2 (DESIGN §7).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from provenance import __version__
from provenance.engine import build_index, corpus_index_location, scan
from provenance.errors import ProvenanceError
from provenance.index import open_index
from provenance.progress import RichProgress
from provenance.report.formatters import formatter
from provenance.rules import Rules, find_rules, load_rules
from provenance.verdicts import FAIL_ON

app = typer.Typer(
    name="provenance", add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    help="Find republished news text, name its original source and judge the attribution.",
)
index_app = typer.Typer(no_args_is_help=True, help="Build and inspect the index of known originals.")
app.add_typer(index_app, name="index")
rules_app = typer.Typer(no_args_is_help=True, help="Show and check the rules (source policies).")
app.add_typer(rules_app, name="rules")

DEFAULT_INDEX = ".provenance/index.sqlite"
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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Find republished news text, name its original source and judge the attribution."""


def _rules(rules_file: Path | None, near: list[Path]) -> Rules:
    if rules_file is not None:
        return load_rules(rules_file)
    for start in [*near, Path.cwd()]:
        found = find_rules(start)
        if found:
            return load_rules(found)
    return Rules()


def _check_paths(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise _fail(f"no such file or directory: {', '.join(missing)}")


RulesOpt = Annotated[Path | None, typer.Option("--rules", help="Rules file (provenance.toml or pyproject.toml); "
                                               "default: found by walking up from the paths.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summaries on stderr.")]


@index_app.command("build")
def index_build(
    paths: Annotated[list[Path], typer.Argument(help="Corpus folders or files.")],
    index: Annotated[str | None, typer.Option("--index", help=f"Index file or redis:// URL [default: {DEFAULT_INDEX}]")] = None,
    rules_file: RulesOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes for fingerprinting.")] = 1,
    prune: Annotated[bool, typer.Option("--prune", help="Remove indexed documents no longer under PATHS.")] = False,
    include: Annotated[list[str] | None, typer.Option("--include", help="Only files matching this glob.")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Skip files matching this glob.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Add every article under PATHS to the index (upsert by id; unchanged files are skipped)."""
    try:
        _check_paths(paths)
        rules = _rules(rules_file, paths)
        location = index or rules.index or DEFAULT_INDEX
        result = build_index(paths, location, rules, jobs=jobs, prune=prune, include=include or (),
                             exclude=exclude or (), progress=RichProgress(False if quiet else None))
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    for article in result.unreadable:
        _err.print(f"provenance: warning: {article.path}: {article.error} (not indexed)", markup=False)
    if not quiet:
        _err.print(
            f"{location}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.removed} removed, {len(result.unreadable)} unreadable", markup=False,
        )


@index_app.command("stats")
def index_stats(
    index: Annotated[str | None, typer.Option("--index", help="Index file or redis:// URL.")] = None,
    rules_file: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Documents, sources, size and fingerprint parameters of an index."""
    try:
        rules = _rules(rules_file, [])
        location = index or rules.index or DEFAULT_INDEX
        with open_index(location, None, readonly=True) as opened:
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
    source: Annotated[str, typer.Argument(help="Index to copy from (file or redis:// URL).")],
    destination: Annotated[str, typer.Argument(help="Index to copy into (created if missing).")],
    quiet: QuietOpt = False,
) -> None:
    """Copy an index between backends, e.g. the embedded file into a shared Redis."""
    from provenance.engine import copy_index

    try:
        copied = copy_index(source, destination, progress=RichProgress(False if quiet else None))
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if not quiet:
        _err.print(f"copied {copied} documents from {source} to {destination}", markup=False)


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="Document ids to remove.")],
    index: Annotated[str | None, typer.Option("--index", help="Index file or redis:// URL.")] = None,
) -> None:
    """Remove documents from the index by id."""
    try:
        with open_index(index or DEFAULT_INDEX, None) as opened:
            removed = opened.remove(ids)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"removed {removed} of {len(ids)}")


@app.command("scan")
def scan_command(
    paths: Annotated[list[Path], typer.Argument(help="Articles or folders of articles to check.")],
    index: Annotated[str | None, typer.Option("--index", help="Index file or redis:// URL.")] = None,
    corpus: Annotated[list[Path] | None, typer.Option(
        "--corpus", help="Corpus folder: build or refresh an embedded index under .provenance/ and use it.")] = None,
    rules_file: RulesOpt = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="error | warning | info | never")] = "error",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes for indexing the corpus.")] = 1,
    include: Annotated[list[str] | None, typer.Option("--include", help="Only files matching this glob.")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Skip files matching this glob.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Check articles against the index; exit 1 when a finding reaches --fail-on."""
    if fail_on not in FAIL_ON:
        raise _fail(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    try:
        render = formatter(output_format)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    try:
        _check_paths(paths + list(corpus or []))
        rules = _rules(rules_file, paths + list(corpus or []))
        progress = RichProgress(False if quiet else None)
        location = _location(index, corpus, rules, jobs, quiet, progress)
        report = scan(paths, location, rules, fail_on=fail_on, include=include or (), exclude=exclude or (),
                      progress=progress)
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if output_format == "table" and output is None and sys.stdout.isatty():
        from provenance.report.table_format import render_table

        text = render_table(report, width=Console().width, color=True)
    else:
        text = render(report)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"{output}: cannot write the report: {exc.strerror}") from None
        if not quiet:
            counts = ", ".join(f"{n} {v}" for v, n in report.by_verdict().items())
            _err.print(f"{output}: {len(report.items)} scanned ({counts}); exit code {report.exit_code}",
                       markup=False)
    else:
        sys.stdout.write(text)
    raise typer.Exit(report.exit_code)


def _location(index: str | None, corpus: list[Path] | None, rules: Rules, jobs: int, quiet: bool,
              progress: RichProgress) -> str:
    """The index to query: --index, or an embedded index refreshed from --corpus, or the default."""
    if index and corpus:
        raise _fail("give either --index or --corpus, not both")
    if corpus:
        location = corpus_index_location(corpus)
        built = build_index(corpus, location, rules, jobs=jobs, prune=True, progress=progress)
        for article in built.unreadable:
            _err.print(f"provenance: warning: {article.path}: {article.error} (not indexed)", markup=False)
        if not quiet:
            _err.print(f"corpus index {location}: {built.indexed} documents ({built.added} added, "
                       f"{built.updated} updated, {built.removed} removed)", markup=False)
        return location
    return index or rules.index or DEFAULT_INDEX


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(help="The article to explain.")],
    index: Annotated[str | None, typer.Option("--index", help="Index file or redis:// URL.")] = None,
    corpus: Annotated[list[Path] | None, typer.Option("--corpus", help="Corpus folder (embedded index).")] = None,
    rules_file: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """What the tool saw in one article and why it decided as it did."""
    from provenance.documents.loaders import load_one
    from provenance.engine import Scanner
    from provenance.explain import explain_article, render_text

    try:
        _check_paths([file, *(corpus or [])])
        rules = _rules(rules_file, [file, *(corpus or [])])
        location = _location(index, corpus, rules, 1, quiet, RichProgress(False if quiet else None))
        with open_index(location, rules.fingerprint) as opened:
            scanner = Scanner(opened, rules)
            articles = load_one(file, file.parent, str(file))
            explained = [explain_article(scanner, article) for article in articles]
    except ProvenanceError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(explained if len(explained) > 1 else explained[0], ensure_ascii=False, indent=2))
    else:
        from provenance.explain import render_text

        sys.stdout.write("".join(render_text(e) for e in explained))


@rules_app.command("show")
def rules_show(
    rules_file: RulesOpt = None,
    index: Annotated[str | None, typer.Option("--index", help="Also show sources and disclaimers from this index.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The effective policy of every source, and where it comes from."""
    from provenance.rules_report import effective_policies

    try:
        rules = _rules(rules_file, [])
        summaries = []
        location = index or rules.index
        if location and (location.startswith("redis") or Path(location).exists()):
            with open_index(location, None, readonly=True) as opened:
                summaries = opened.sources()
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
        table.add_row(name, row["policy"], row["policy_from"], ", ".join(row["aliases"]), str(row["documents"]))
    Console(width=160 if not sys.stdout.isatty() else None).print(table)


@rules_app.command("lint")
def rules_lint(
    rules_file: Annotated[Path | None, typer.Argument(help="Rules file [default: found from the current folder]")] = None,
) -> None:
    """Check the rules file; problems print as file:line: message and exit 1."""
    from provenance.rules import load_rules as load
    from provenance.rules_report import lint

    path = rules_file or find_rules(Path.cwd())
    if path is None:
        raise _fail("no rules file found (provenance.toml or [tool.provenance] in pyproject.toml)")
    try:
        rules = load(path, strict=False)
    except ProvenanceError as exc:
        typer.echo(str(exc))
        raise typer.Exit(1) from None
    problems = lint(rules)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{path}: ok ({len(rules.sources)} sources)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err.print("provenance: interrupted", markup=False)
        sys.exit(130)
