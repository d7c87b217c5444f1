"""Qt-free core: extraction, chunking, encoder, store, vector index, indexer, search,
duplicates and watcher. Nothing in this package may import Qt."""
