"""The index stage: derived from the store, rebuildable from it (lexical, vectors, embedder)."""
