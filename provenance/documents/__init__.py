"""Articles and how they are read from disk: the model, encodings, loaders and folder walking."""

from provenance.documents.loaders import load_file, load_paths
from provenance.documents.model import Article

__all__ = ["Article", "load_file", "load_paths"]
