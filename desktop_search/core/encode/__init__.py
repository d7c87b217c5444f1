"""The sentence encoder: text to L2-normalised vectors, with torch or with ONNX.

``model_folder`` reads a model folder's facts as plain JSON; ``pooling`` and ``batching``
are pure helpers; ``encoder`` runs the model with plain transformers, batched by token
length; ``onnx_export`` writes a parity-checked export once and ``onnx_runner`` runs it
without torch; ``query_encoder`` is what reading processes encode with, and
``passage_encoder`` what phase 2 embeds with (the export, made by ``export_process`` in
a child so that torch stays out of the indexing process; ``device`` picks where it runs,
``threads`` how many cores it takes); ``token_counter`` gives the chunker the
tokenizer's counts. May import: the ground only.
"""
