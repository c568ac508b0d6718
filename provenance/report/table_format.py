"""Terminal table formatter (rich): one row per article, verdict coloured, the message beside it."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from provenance.report.formatters import register
from provenance.report.model import Report

STYLES = {
    "prohibited": "bold red", "misattributed": "bold red", "unattributed": "bold red", "unreadable": "red",
    "excerpt": "yellow", "attributed": "green", "permitted": "green", "own": "cyan", "original": "dim",
}


def render_table(report: Report, width: int | None = None, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 140, force_terminal=color, no_color=not color,
                      color_system="auto" if color else None)
    table = Table(show_lines=False, header_style="bold", expand=True)
    table.add_column("article", overflow="fold", ratio=2)
    table.add_column("verdict", no_wrap=True)
    table.add_column("original", overflow="fold", ratio=2)
    table.add_column("message", overflow="fold", ratio=5)
    for item in report.items:
        source = ""
        if item.source and item.source.get("external"):  # a wire or agency, through a corpus copy
            source = f"{item.source.get('name') or ''} (via {item.source.get('via')})"
        elif item.source:
            source = f"{item.source.get('name') or ''} {item.source.get('id')}".strip()
            if item.source.get("published"):
                source += f" ({str(item.source['published'])[:10]})"
        table.add_row(Text(item.path), Text(item.verdict, style=STYLES.get(item.verdict, "")), Text(source),
                      Text(item.message))
    console.print(table)
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.by_verdict().items())
    console.print(f"{len(report.items)} scanned: {counts or 'nothing'} · exit code {report.exit_code}")
    return buffer.getvalue()


@register("table")
def _table(report: Report) -> str:
    return render_table(report)
