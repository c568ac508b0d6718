"""``python -m provenance`` entry point."""

from provenance.entry import main

main()
