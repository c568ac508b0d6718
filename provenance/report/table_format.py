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


VERDICT_WIDTH = max(len(v) for v in STYLES)


def shorten_path(path: str, width: int) -> str:
    """``path`` in at most ``width`` characters, shortened from the left at a folder boundary
    ("…/incoming/copy.md"): the file name is what a reader looks for."""
    if len(path) <= width:
        return path
    tail = path[len(path) - (width - 1):]
    cut = tail.find("/")
    if 0 <= cut < len(tail) - 1 and len(tail) - cut >= width // 2:
        tail = tail[cut:]
    return "…" + tail


def render_table(report: Report, width: int | None = None, color: bool = False) -> str:
    width = width or 140
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="auto" if color else None)
    table = Table(show_lines=False, header_style="bold", expand=True)
    # Paths are shortened from the left, never split inside a name; at most a quarter of the width
    # (and no less than 16 characters) unless the paths are all shorter.
    longest = max((len(item.path) for item in report.items), default=7)
    path_width = min(longest, max(16, width // 4))
    # The rest is shared 2:5 between original and message; the original keeps at least 16
    # characters ("Associated Press" on one line). Four columns cost 13 characters of rules and padding.
    rest = max(0, width - 13 - path_width - VERDICT_WIDTH)
    original_width = min(max(16, rest * 2 // 7), max(1, rest - 16))
    table.add_column("article", no_wrap=True, width=path_width)
    table.add_column("verdict", no_wrap=True, width=VERDICT_WIDTH)
    table.add_column("original", overflow="fold", width=original_width)
    table.add_column("message", overflow="fold", width=max(1, rest - original_width))
    for item in report.items:
        source = ""
        if item.source and item.source.get("external"):  # a wire or agency, through a corpus copy
            source = f"{item.source.get('name') or ''} (via {item.source.get('via')})"
        elif item.source:
            source = f"{item.source.get('name') or ''} {item.source.get('id')}".strip()
            if item.source.get("published"):
                source += f" ({str(item.source['published'])[:10]})"
        table.add_row(Text(shorten_path(item.path, path_width)), Text(item.verdict, style=STYLES.get(item.verdict, "")), Text(source),
                      Text(item.message))
    console.print(table)
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.by_verdict().items())
    console.print(f"{len(report.items)} scanned: {counts or 'nothing'} · exit code {report.exit_code}", soft_wrap=True)
    return buffer.getvalue()


@register("table")
def _table(report: Report) -> str:
    return render_table(report)
