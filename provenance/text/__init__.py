"""Text processing: normalisation with offsets, boilerplate blocks, language, shingles."""
