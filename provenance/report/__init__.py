"""One report model and the formatters that render it (table, json…), plus the exit code."""

from provenance.report.model import Item, Report

__all__ = ["Item", "Report"]
