"""Index backends behind one interface: an embedded SQLite file (default) and Redis."""

from provenance.index.base import IndexBackend, IndexedDoc, StoredDoc, open_index

__all__ = ["IndexBackend", "IndexedDoc", "StoredDoc", "open_index"]
