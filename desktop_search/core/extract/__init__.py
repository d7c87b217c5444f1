"""Stage 1 of the pipeline: a file's bytes to plain text and its spans (pages, slides,
sheets, messages, chapters).

One module per format (``docx``, ``html``, ``odf``, ``pptx``, ``epub``, ``sheet``, ``rtf``,
``mail``); ``dispatch`` picks the reader by file name, reads plain text and PDF, and turns
every failure into a one-line ``ExtractionError``. Zip-based formats open through
``zipsafe`` and parse their XML through ``xmlsafe``. Each reader has caps on size, members,
rows and depth, so a hostile file is a problem, never a crash. May import: the ground of
``core`` (``errors``, ``sanitize``) only.
"""
