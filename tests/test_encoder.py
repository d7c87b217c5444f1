"""The encoder against sentence-transformers on the real STS Benchmark dev split."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from desktop_search.core.encode.encoder import Encoder, ModelError, read_model_config
from desktop_search.core.encode.pooling import cls_pool, max_pool, mean_pool, pool
from desktop_search.core.training.readers import read_stsb_rows as read_stsb


def test_reads_pooling_normalize_and_length_from_the_folder(encoder):
    cfg = read_model_config(encoder.path)
    assert cfg == {"pooling": "mean", "normalize": True, "max_seq_length": 256}
    assert (encoder.pooling, encoder.normalize, encoder.max_seq_length, encoder.dim) == (
        "mean",
        True,
        256,
        384,
    )


def test_keeps_input_order_and_returns_unit_float32(encoder):
    texts = ["a very long sentence " * 20, "short", "", "medium length text here"]
    out = encoder.encode(texts, batch_size=2)
    assert out.dtype == np.float32 and out.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    for i, t in enumerate(texts):  # each row is the embedding of its own input
        np.testing.assert_allclose(out[i], encoder.encode([t])[0], atol=1e-5)


def test_pooling_modes_on_hand_made_tensors():
    tokens = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert mean_pool(tokens, mask).tolist() == [[2.0, 3.0]]
    assert cls_pool(tokens, mask).tolist() == [[1.0, 2.0]]
    assert max_pool(tokens, mask).tolist() == [[3.0, 4.0]]  # the padded 100s are ignored
    with pytest.raises(ValueError, match="mean, cls, max"):
        pool("median", tokens, mask)


def test_other_pooling_modes_load_and_differ(encoder):
    cls = Encoder(encoder.path, pooling="cls")
    mx = Encoder(encoder.path, pooling="max")
    text = ["The cat sat on the mat."]
    a, b, c = encoder.encode(text)[0], cls.encode(text)[0], mx.encode(text)[0]
    assert abs(float(a @ b)) < 0.99 and abs(float(a @ c)) < 0.99
    np.testing.assert_allclose(np.linalg.norm(b), 1.0, atol=1e-5)


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not a model folder"):
        Encoder(tmp_path)


def test_no_silent_truncation_count(encoder):
    from desktop_search.core.encode.token_counter import HFTokenCounter

    n = HFTokenCounter(encoder.tokenizer).count(["word " * 300])[0]
    # exact and never capped (the model's tokenizer.json truncates at 128); the chunker
    # leaves room for the two special tokens through its hard limit
    assert n == 300


@pytest.mark.slow
def test_parity_with_sentence_transformers_on_stsb_dev(encoder, fixture_data):
    from sentence_transformers import SentenceTransformer

    pairs = read_stsb(fixture_data / "stsb" / "sts-dev.csv")
    assert len(pairs) == 1500
    sentences = list(dict.fromkeys(s for a, b, _ in pairs for s in (a, b)))
    ours = encoder.encode(sentences)
    st = SentenceTransformer(str(encoder.path), device="cpu")
    theirs = st.encode(sentences, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    cos = np.sum(ours * theirs, axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
    )
    assert cos.min() >= 0.9999, f"worst cosine {cos.min():.6f}"

    index = {s: i for i, s in enumerate(sentences)}
    gold = [score for _, _, score in pairs]

    def spearman(emb):
        sims = [float(emb[index[a]] @ emb[index[b]]) for a, b, _ in pairs]
        return spearmanr(sims, gold).statistic

    ours_rho, theirs_rho = spearman(ours), spearman(theirs)
    assert round(ours_rho, 4) == round(theirs_rho, 4), (ours_rho, theirs_rho)
    assert ours_rho > 0.8
