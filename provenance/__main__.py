"""``python -m provenance`` entry point."""

from provenance.cli import main

main()
