"""The sentence encoder: text to L2-normalised vectors, with torch or with ONNX.

``model_folder`` reads a model folder's facts as plain JSON; ``pooling`` and ``batching``
are pure helpers; ``encoder`` runs the model with plain transformers, batched by token
length; ``onnx_export`` writes a parity-checked export once and ``onnx_runner`` runs it
without torch; ``query_encoder`` is what reading processes encode with;
``token_counter`` gives the chunker the tokenizer's counts. May import: the ground only.
"""
