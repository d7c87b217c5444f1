"""Where an index lives: SQLite (metadata, text, FTS5, vector rows) and the HNSW set.

``database`` opens it (private or read-only folders, what SQLite errors mean);
``datadir`` finds the data folder and holds the single-writer lock; ``schema`` creates
the tables; ``catalog`` is the ``Store`` (roots, files, passages, keyword rows, one
transaction per file); ``roots``, ``vector_rows`` and ``sqlpaths`` are its parts;
``ann`` is the small vector-index interface (hnswlib and an exact NumPy twin);
``vector_index`` keeps the HNSW set in step with SQLite, always rebuildable from it;
``repair`` salvages a damaged database. May import: the ground only.
"""
