"""Fine-tuning core: readers, losses against hand-computed values, batching, a few real
training steps on the real model, saving in a layout both Encoder and sentence-transformers
load, mining pairs from documents, and the two CLI commands.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from desktop_search.core.encode.encoder import Encoder, read_model_config
from desktop_search.core.training import (
    CosineSimilarityLoss,
    DataError,
    Example,
    MultipleNegativesRankingLoss,
    SentenceModel,
    TrainConfig,
    TrainingError,
    TripletLoss,
    cosine_similarity_loss,
    mine_pairs,
    mnrl_loss,
    read_pairs,
    read_scored_pairs,
    read_triplets,
    save_model,
    spearman,
    split_holdout,
    train,
    triplet_loss,
)
from desktop_search.core.training.mining import clean_inline, document_sections
from desktop_search.core.training.readers import read_stsb
from desktop_search.core.training.trainer import linear_schedule, no_duplicate_batches

T = torch.tensor


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- readers -------------------------------------------------------------------------


def test_scored_pairs_are_mapped_to_0_1_on_the_stated_or_inferred_scale(tmp_path):
    five = write(
        tmp_path / "five.tsv", "text1\ttext2\tscore\na\tb\t5\nc\td\t2.5\n\n# note\ne\tf\t0\n"
    )
    assert [ex.label for ex in read_scored_pairs(five)] == [1.0, 0.5, 0.0]  # header skipped
    assert [ex.label for ex in read_scored_pairs(five, scale=5)] == [1.0, 0.5, 0.0]
    one = write(tmp_path / "one.tsv", "a\tb\t0.8\nc\td\t0.1\n")
    assert [ex.label for ex in read_scored_pairs(one)] == [0.8, 0.1]
    assert read_scored_pairs(one)[0].texts == ("a", "b")
    with pytest.raises(DataError, match="outside the scale"):
        read_scored_pairs(five, scale=1)
    bad = write(tmp_path / "bad.tsv", "a\tb\t1\nc\td\n")
    with pytest.raises(DataError, match=r"bad.tsv:2: expected 3"):
        read_scored_pairs(bad)
    nan = write(tmp_path / "nan.tsv", "a\tb\t1\nc\td\thigh\n")
    with pytest.raises(DataError, match=r":2: score 'high' is not a number"):
        read_scored_pairs(nan)


def test_triplets_and_pairs(tmp_path):
    trip = write(tmp_path / "t.tsv", "q\tp\tn\nq2\tp2\tn2\n")
    assert read_triplets(trip)[1].texts == ("q2", "p2", "n2")
    assert read_triplets(trip)[0].label is None
    pairs = write(tmp_path / "p.tsv", "q\tp\nq2\tp2\n")
    assert [ex.texts for ex in read_pairs(pairs)] == [("q", "p"), ("q2", "p2")]
    with pytest.raises(DataError, match="expected 3"):
        read_triplets(pairs)
    mixed = write(tmp_path / "m.tsv", "q\tp\nq2\tp2\tn2\n")
    with pytest.raises(DataError, match="one layout"):
        read_pairs(mixed)
    with pytest.raises(DataError, match="empty text"):
        read_pairs(write(tmp_path / "e.tsv", "q\t \n"))
    with pytest.raises(DataError, match="no such file"):
        read_pairs(tmp_path / "missing.tsv")


def test_stsb_reader_on_the_real_files(fixture_data):
    dev = read_stsb(fixture_data / "stsb" / "sts-dev.csv")
    train_set = read_stsb(fixture_data / "stsb" / "sts-train.csv")
    assert (len(dev), len(train_set)) == (1500, 500)  # the whole dev split, 500 train rows
    assert dev[0] == Example(
        ("A man with a hard hat is dancing.", "A man wearing a hard hat is dancing."), 1.0
    )
    assert all(0.0 <= ex.label <= 1.0 for ex in train_set)


# --- losses: pure functions against independent numpy arithmetic ----------------------


def np_cos(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_cosine_similarity_loss_hand_computed():
    a = [[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]
    b = [[2.0, 0.0], [1.0, 0.0], [4.0, 3.0]]
    labels = [1.0, 0.5, 0.2]
    # cosines: 1, 0, 24/25
    expected = ((1 - 1.0) ** 2 + (0 - 0.5) ** 2 + (0.96 - 0.2) ** 2) / 3
    assert np.allclose(np_cos(a, b), [1.0, 0.0, 0.96])
    got = cosine_similarity_loss(T(a), T(b), T(labels))
    assert got.item() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("distance", "margin"),
    [("euclidean", 5.0), ("euclidean", 1.0), ("manhattan", 2.0), ("cosine", 0.5)],
)
def test_triplet_loss_hand_computed(distance, margin):
    a = np.array([[1.0, 0.0], [1.0, 1.0]])
    p = np.array([[3.0, 4.0], [1.0, 2.0]])
    n = np.array([[6.0, 8.0], [-1.0, 1.0]])
    if distance == "euclidean":
        d = lambda x, y: np.sqrt(((x - y) ** 2).sum(-1))  # noqa: E731
    elif distance == "manhattan":
        d = lambda x, y: np.abs(x - y).sum(-1)  # noqa: E731
    else:
        d = lambda x, y: 1 - np_cos(x, y)  # noqa: E731
    expected = np.maximum(d(a, p) - d(a, n) + margin, 0).mean()
    got = triplet_loss(T(a), T(p), T(n), margin=margin, distance=distance)
    assert got.item() == pytest.approx(expected, abs=1e-5)


def test_triplet_loss_by_hand_numbers():
    # d(a,p) = 5, d(a,n) = 10 for the 3-4-5 triangle: max(5 - 10 + 5, 0) = 0; margin 7 -> 2.
    a, p, n = T([[0.0, 0.0]]), T([[3.0, 4.0]]), T([[6.0, 8.0]])
    assert triplet_loss(a, p, n).item() == pytest.approx(0.0)
    assert triplet_loss(a, p, n, margin=7.0).item() == pytest.approx(2.0, abs=1e-5)


def np_mnrl(anchors, candidates, scale):
    logits = scale * np_cos(np.asarray(anchors)[:, None, :], np.asarray(candidates)[None, :, :])
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    return -np.mean([log_softmax[i, i] for i in range(len(anchors))])


def test_mnrl_loss_hand_computed():
    anchors = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    positives = [[0.9, 0.1], [0.2, 1.0], [1.0, 0.8]]
    negatives = [[-1.0, 0.0], [1.0, -1.0], [0.0, -1.0]]
    got = mnrl_loss(T(anchors), T(positives), scale=20.0)
    assert got.item() == pytest.approx(np_mnrl(anchors, positives, 20.0), abs=1e-5)
    got = mnrl_loss(T(anchors), T(positives), T(negatives), scale=5.0)
    assert got.item() == pytest.approx(np_mnrl(anchors, positives + negatives, 5.0), abs=1e-5)
    # Two pairs by hand: cosines [[1, 0], [0, 1]], scale 1 -> -log(e / (e + 1)) for both rows.
    two = mnrl_loss(T([[1.0, 0.0], [0.0, 1.0]]), T([[2.0, 0.0], [0.0, 3.0]]), scale=1.0)
    assert two.item() == pytest.approx(-math.log(math.e / (math.e + 1)), abs=1e-6)


def test_mnrl_treats_the_other_positives_in_the_batch_as_negatives():
    anchors = T([[1.0, 0.0], [0.0, 1.0]])
    alone = mnrl_loss(anchors[:1], T([[1.0, 0.2]]))
    assert alone.item() == pytest.approx(0.0, abs=1e-6)  # one pair: nothing to tell apart
    far = mnrl_loss(anchors, T([[1.0, 0.2], [0.0, 1.0]]))
    near = mnrl_loss(anchors, T([[1.0, 0.2], [1.0, 0.3]]))  # positive 2 drifts towards anchor 1
    assert near.item() > far.item() > 0
    positives = T([[1.0, 0.2], [0.5, 1.0]], requires_grad=True)
    mnrl_loss(anchors[:1], positives).backward()  # anchor 1 alone against both positives
    assert positives.grad[1].abs().sum() > 0  # the other pair's positive is pushed away


def test_losses_agree_with_sentence_transformers_on_random_embeddings():
    st_losses = pytest.importorskip("sentence_transformers.sentence_transformer.losses")
    g = torch.Generator().manual_seed(0)
    a, p, n = (torch.randn(6, 8, generator=g) for _ in range(3))
    labels = torch.rand(6, generator=g)
    ref_cos = st_losses.CosineSimilarityLoss(None).compute_loss_from_embeddings([a, p], labels)
    assert cosine_similarity_loss(a, p, labels).item() == pytest.approx(ref_cos.item(), abs=1e-6)
    ref_trip = st_losses.TripletLoss(None).compute_loss_from_embeddings([a, p, n], None)
    assert triplet_loss(a, p, n).item() == pytest.approx(ref_trip.item(), abs=1e-5)
    ref_mnrl = st_losses.MultipleNegativesRankingLoss(None).compute_loss_from_embeddings(
        [a, p, n], None
    )
    assert mnrl_loss(a, p, n).item() == pytest.approx(ref_mnrl.item(), abs=1e-5)


# --- batching, schedule, metric --------------------------------------------------------


def test_no_duplicate_batches_cover_every_example_once():
    texts = ["a", "b", "c", "a", "d", "b", "e", "f"]
    examples = [Example((t, f"pos-{i % 3}")) for i, t in enumerate(texts)]
    batches = no_duplicate_batches(examples, 3, torch.Generator().manual_seed(1))
    assert sorted(i for b in batches for i in b) == list(range(len(examples)))
    for batch in batches:
        seen = [t for i in batch for t in examples[i].texts]
        assert len(seen) == len(set(seen)), batch


def test_linear_schedule_and_spearman():
    assert [linear_schedule(s, 2, 10) for s in (0, 1, 2, 6, 10)] == [0.0, 0.5, 1.0, 0.5, 0.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # Ties take the mean rank: ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4] -> r = 0.9487
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(3 / math.sqrt(10), abs=1e-9)


# --- real training on the real model ------------------------------------------------------


def docs_pairs(fixture_data, n: int = 16) -> list[Example]:
    """Real (heading, section) pairs from the Python docs, cut short to keep steps cheap."""
    path = fixture_data / "docs" / "rst" / "library" / "os.path.rst.txt"
    tut = fixture_data / "docs" / "rst" / "tutorial" / "controlflow.rst.txt"
    pairs = mine_pairs([(str(p), p.read_text(encoding="utf-8")) for p in (path, tut)])
    return [Example((p.query, p.passage[:200])) for p in pairs[:n]]


def batch_loss(model: SentenceModel, loss_fn, examples: list[Example]) -> float:
    """The loss over all examples at once, without dropout: comparable before and after."""
    cols = list(zip(*(ex.texts for ex in examples), strict=True))
    emb = [model.embed(list(col)) for col in cols]
    if examples[0].label is not None:
        return loss_fn(*emb, T([ex.label for ex in examples])).item()
    return loss_fn(*emb).item()


@pytest.fixture(scope="module")
def mnrl_run(fixture_data):
    examples = docs_pairs(fixture_data)
    assert len(examples) == 16
    model = SentenceModel.load()
    before = batch_loss(model, mnrl_loss, examples)
    seen = []
    cfg = TrainConfig(
        epochs=2, batch_size=8, lr=1e-4, warmup_ratio=0.0, eval_steps=2, max_seq_length=64
    )
    result = train(
        model,
        MultipleNegativesRankingLoss(model),
        examples,
        cfg,
        dev=examples[:8],
        progress=seen.append,
    )
    after = batch_loss(model, mnrl_loss, examples)
    return model, examples, before, after, result, seen


@pytest.mark.slow  # real training steps
def test_a_few_mnrl_steps_lower_the_loss(mnrl_run):
    model, _, before, after, result, _ = mnrl_run
    assert result.steps == 4 and not result.cancelled
    assert after < before * 0.9, (before, after)
    assert model.max_seq_length == 256  # the training length does not leak into the model


@pytest.mark.slow  # real training steps
def test_progress_and_evaluation_hook(mnrl_run):
    *_, result, seen = mnrl_run
    assert [p.step for p in seen] == [1, 2, 3, 4]
    assert all(p.total_steps == 4 and math.isfinite(p.loss) for p in seen)
    assert [p.epoch for p in seen] == [1, 1, 2, 2]
    assert [s for s, _ in result.evals] == [2, 4]
    assert set(result.evals[-1][1]) == {"accuracy@1", "mrr"}
    assert seen[1].eval == result.evals[0][1]
    assert seen[0].lr == pytest.approx(1e-4) and seen[-1].lr < seen[0].lr  # linear decay


@pytest.mark.slow  # real training steps
def test_a_few_cosine_steps_lower_the_loss(fixture_data):
    examples = read_stsb(fixture_data / "stsb" / "sts-train.csv")[:16]
    model = SentenceModel.load()
    before = batch_loss(model, cosine_similarity_loss, examples)
    cfg = TrainConfig(epochs=3, batch_size=8, lr=1e-4, warmup_ratio=0.0)
    train(model, CosineSimilarityLoss(model), examples, cfg)
    after = batch_loss(model, cosine_similarity_loss, examples)
    assert after < before * 0.9, (before, after)


@pytest.mark.slow  # real training steps
def test_saved_model_loads_in_encoder_and_sentence_transformers(mnrl_run, tmp_path, encoder):
    st = pytest.importorskip("sentence_transformers")
    model, examples, *_ = mnrl_run
    out = save_model(model, tmp_path / "tuned", info={"loss": "mnrl"})
    cfg = read_model_config(out)
    assert cfg == {"pooling": "mean", "normalize": True, "max_seq_length": 256}
    assert json.loads((out / "desktop_search_training.json").read_text()) == {"loss": "mnrl"}
    texts = [t for ex in examples[:6] for t in ex.texts]
    ours = Encoder(out).encode(texts)
    theirs = st.SentenceTransformer(str(out), device="cpu").encode(texts, convert_to_numpy=True)
    cos = (ours * theirs).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    assert cos.min() >= 0.9999, cos
    assert np.allclose(ours, model.embed(texts).numpy(), atol=1e-5)  # what was trained is saved
    base = encoder.encode(texts)
    assert (ours * base).sum(1).min() < 0.9999  # and training did change the model
    with pytest.raises(FileExistsError):
        save_model(model, out)


def test_cancel_and_bad_data(fixture_data):
    model = SentenceModel.load()
    examples = docs_pairs(fixture_data, 4)
    stop = threading.Event()
    stop.set()
    result = train(model, MultipleNegativesRankingLoss(model), examples, cancel=stop)
    assert result.cancelled and result.steps == 0
    with pytest.raises(TrainingError, match="needs 3 texts"):
        train(model, TripletLoss(model), examples)
    with pytest.raises(TrainingError, match="needs a score"):
        train(model, CosineSimilarityLoss(model), examples)


# --- mining ---------------------------------------------------------------------------------

RST = """\
.. _guide:

*******************
  The Tidy Garden
*******************

.. module:: garden
   :synopsis: Keeping a garden.

This guide explains how to keep a small vegetable garden tidy through the
whole year, with :func:`~garden.weed` and ``compost``.

Watering schedules
==================

Water early in the morning so that the leaves dry before the midday sun, and
water deeply twice a week rather than a little every day [#]_.

.. note::

   Containers dry out much faster than beds.

Examples
--------

Short.

Examples
--------

Another generic heading that repeats.

Examples
--------

And a third one: a heading that names many sections names none of them at all.
"""

MARKDOWN = """\
# Trip planning notes

Booking the ferry early saves money, and the morning crossing is usually calmer
for anyone who gets seasick.

## Packing list for the island

Bring rain jackets, walking boots, a torch and enough cash, because the island's
only shop does not take cards.

```python
# not a heading: a comment in code
print("hello")
```

Budget
------

About four hundred pounds for the week, including the ferry and two dinners out.
"""


def test_rst_sections_titles_and_markup():
    sections = document_sections("garden.rst", RST)
    assert [(s.heading, s.level, s.is_title) for s in sections][:3] == [
        ("The Tidy Garden", 0, True),
        ("Watering schedules", 1, False),
        ("Examples", 2, False),
    ]
    assert sections[0].text.startswith("This guide explains")
    assert "garden.weed" in sections[0].text and "synopsis" not in sections[0].text
    assert "Containers dry out" in sections[1].text and "[#]_" not in sections[1].text
    pairs = mine_pairs([("garden.rst", RST)])
    assert [(p.query, p.kind) for p in pairs] == [
        ("The Tidy Garden", "title"),
        ("Watering schedules", "heading"),
    ]  # "Examples" occurs three times, so it is dropped


def test_markdown_and_html_title_pairs():
    pairs = mine_pairs([("trip.md", MARKDOWN)], min_words=5)
    assert [(p.query, p.kind) for p in pairs] == [
        ("Trip planning notes", "title"),
        ("Packing list for the island", "heading"),
        ("Budget", "heading"),
    ]
    assert "not a heading" in pairs[1].passage  # code stays in its section's text
    html = "Renewing a passport\n\nYou can renew your passport online if it is undamaged and was issued after 2005."
    (pair,) = mine_pairs([("page.html", html)])
    assert (pair.query, pair.kind) == ("Renewing a passport", "title")
    assert pair.passage.startswith("You can renew")
    assert mine_pairs([("x.txt", "Just one line of text without any title at all here.")]) == []


def test_inline_cleanup():
    text = "Use :meth:`str.join <join>` and ``__qualname__``, see `docs <https://x>`_ and [here](http://y) **now**"
    assert clean_inline(text) == "Use str.join and __qualname__, see docs and here now"


def test_mining_the_real_docs_and_holdout(fixture_data):
    path = fixture_data / "docs" / "rst" / "library" / "os.path.rst.txt"
    pairs = mine_pairs([(str(path), path.read_text(encoding="utf-8"))])
    assert pairs[0].query == "os.path \u2014 Common pathname manipulations"
    assert pairs[0].kind == "title" and "pathnames" in pairs[0].passage
    train_part, held = split_holdout(pairs * 5, 0.2, seed=1)
    assert (
        len(held) == round(len(pairs) * 5 * 0.2) and len(train_part) + len(held) == len(pairs) * 5
    )


# --- CLI --------------------------------------------------------------------------------------


@pytest.mark.slow  # real training steps
def test_cli_train(tmp_path, fixture_data):
    from desktop_search.cli_train import train_command

    data = tmp_path / "pairs.tsv"
    data.write_text(
        "".join(f"{a}\t{b}\n" for a, b in (ex.texts for ex in docs_pairs(fixture_data, 8)))
    )
    out = tmp_path / "model"
    args = ["--data", str(data), "--loss", "mnrl", "--out", str(out), "--batch-size", "4"]
    result = CliRunner().invoke(train_command, [*args, "--max-seq-length", "32"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(out.resolve())
    assert "step 2/2" in result.stderr
    assert (out / "modules.json").exists() and (out / "model.safetensors").exists()
    again = CliRunner().invoke(train_command, args)
    assert again.exit_code == 1 and "not empty" in again.stderr
    bad = CliRunner().invoke(
        train_command, ["--data", str(data), "--loss", "cosine", "--out", str(tmp_path / "m2")]
    )
    assert bad.exit_code == 1 and "pairs.tsv:1: expected 3" in bad.stderr


@pytest.mark.slow  # real training steps
def test_cli_adapt_from_folder(tmp_path):
    from desktop_search.cli_train import adapt_command

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "trip.md").write_text(MARKDOWN)
    (docs / "garden.rst").write_text(RST)
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    out = tmp_path / "adapted"
    result = CliRunner().invoke(
        adapt_command,
        [
            "--from-folder",
            str(docs),
            "--out",
            str(out),
            "--batch-size",
            "4",
            "--max-seq-length",
            "32",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "mined 5 pairs (3 heading/section, 2 title/opening)" in result.stderr
    info = json.loads((out / "desktop_search_training.json").read_text())
    assert info["pairs"] == 5 and info["loss"] == "MultipleNegativesRankingLoss"
    assert read_model_config(out)["normalize"] is True
    missing = CliRunner().invoke(
        adapt_command, ["--out", str(tmp_path / "x"), "--data-dir", str(tmp_path / "no-index")]
    )
    assert missing.exit_code == 1 and "--from-folder" in missing.stderr
