"""Answering a query: parse, take candidates from each leg, fuse, rank files, present.

``query`` parses what was typed; ``filters`` and ``facets`` narrow by folder, type and
date; ``keyword`` is the bm25 leg over FTS5; ``fusion`` and ``confidence`` are pure
scoring; ``searcher`` runs the stages in order; ``highlight``, ``best_sentence`` and
``preview`` present a hit; ``rerank`` is an optional closer look. May import: ``store``,
``encode``, ``extract`` and the ground.
"""
