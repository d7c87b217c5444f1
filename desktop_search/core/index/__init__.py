"""Indexing: folders on disk to passages in the store, in two phases.

``scan`` walks folders (includes, excludes, symlink loops); ``reading`` reads one file
(size cap, hash, extraction, chunking); ``chunking`` cuts text into passages at sentence
and paragraph boundaries; ``phase1`` commits text and keyword rows without the encoder;
``phase2`` embeds what has no vector yet, most useful first; ``watcher`` batches
watchdog events; ``estimate`` says what a folder would add. May import: ``extract``,
``encode``, ``store`` and the ground.
"""
