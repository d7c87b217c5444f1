"""Stage 1 of the pipeline: a file's bytes to plain text and its spans (pages, ...).

One module per format (``docx``, ``html``; ``dispatch`` picks the reader by file name,
reads plain text and PDF, and turns every failure into a one-line ``ExtractionError``).
Each reader has caps on size, members and depth, so a hostile file is a problem, never a
crash. May import: the ground of ``core`` (``errors``, ``sanitize``) only.
"""
