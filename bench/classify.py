"""Benchmark the classifier, each number against a baseline run in the same process.

- teacher posts/s vs the raw encoder forward pass over the same token ids (target ratio >= 0.8);
- student posts/s on CPU (target >= 20,000), with and without evidence spans, one process and
  two;
- student macro-F1 agreement with the teacher on held-out posts after distillation
  (target >= 0.90).

Texts: ../shared/data/metoo-unlabelled.csv when present, else generated posts.
Usage: python bench/classify.py [--device cuda] [--n-teacher 1024] [--n-student 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
UNLABELLED = REPO.parent / "shared" / "data" / "metoo-unlabelled.csv"


def load_texts() -> tuple[list[str], str]:
    """Real posts when the shared data is there, else generated ones."""
    if UNLABELLED.exists():
        with UNLABELLED.open(encoding="utf-8", newline="") as fh:
            return [r["text"] for r in csv.DictReader(fh) if r.get("text")], str(UNLABELLED)
    rng = random.Random(7)
    parts = [
        "When I was",
        "my boss",
        "accused of",
        "I believe you",
        "witch hunt",
        "#MeToo",
        "I will speak up",
        "buy now",
        "the minister resigns",
        "so brave",
        "it was me",
        "at the office",
        "on the bus",
        "https://t.co/abc",
        "thank you",
        "false cases",
    ]
    return [" ".join(rng.choices(parts, k=rng.randint(3, 12))) for _ in range(2000)], "generated"


_WORKER: dict[str, object] = {}


def _student_chunk(texts: list[str]) -> int:
    """Classify one chunk in a worker process (its classifier is loaded once)."""
    from groundswell.classify.run import load_classifier

    clf = _WORKER.get("clf")
    if clf is None:
        clf = _WORKER["clf"] = load_classifier("student")
    clf.predict(texts)  # type: ignore[attr-defined]
    return len(texts)


def bench_student(texts: list[str], n: int) -> dict[str, float]:
    """Posts/s of the shipped student: scores only, full records with evidence, 2 processes."""
    from groundswell.classify.run import load_classifier

    big = (texts * (n // len(texts) + 1))[:n]
    clf = load_classifier("student")
    clf.predict(big[:1000])  # warm caches and imports
    t = time.perf_counter()
    clf.scores(big)
    scores_rate = n / (time.perf_counter() - t)
    t = time.perf_counter()
    clf.predict(big)
    full_rate = n / (time.perf_counter() - t)
    chunks = [big[i : i + 10000] for i in range(0, n, 10000)]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_student_chunk, [c[:100] for c in chunks[:2]]))  # start workers
        t = time.perf_counter()
        sum(pool.map(_student_chunk, chunks))
        two_rate = n / (time.perf_counter() - t)
    return {"scores": scores_rate, "records": full_rate, "records_2proc": two_rate}


def bench_teacher(texts: list[str], n: int, device: str) -> dict[str, float]:
    """Teacher posts/s (tokenise, encode, pool, signals, heads) vs raw forward on the same ids."""
    from groundswell.classify.run import Classifier, load_bundle
    from groundswell.classify.teacher import get_encoder

    sample = (texts * (n // len(texts) + 1))[:n]
    clf = Classifier(load_bundle("teacher"), device=device)
    enc = get_encoder(clf.device if device == "cpu" else device)
    clf.scores(sample[:64])  # load the model
    ids = enc.tokenize(sample)
    enc.forward(ids[:64], pool=False)
    t = time.perf_counter()
    enc.forward(ids, pool=False)
    raw = n / (time.perf_counter() - t)
    t = time.perf_counter()
    clf.scores(sample)
    full = n / (time.perf_counter() - t)
    return {"raw_forward": raw, "teacher": full, "ratio": full / raw, "device": enc.device}


def bench_agreement(texts: list[str], device: str) -> dict[str, float]:
    """Distil the student on the texts' teacher labels (80%), agreement on the other 20%."""
    from groundswell.classify.bundle import Bundle, shipped_path
    from groundswell.classify.run import Classifier, load_bundle
    from groundswell.classify.store import default_data_dir
    from groundswell.classify.training import TrainingData, distill, load_training_data

    teacher = Classifier(load_bundle("teacher"), device=device)
    probs = teacher.scores(texts)["act"]
    data_dir = default_data_dir()
    data = load_training_data(data_dir) if data_dir else TrainingData()
    _, agreement = distill(probs, texts, Bundle.load(shipped_path("student")), data)
    # the shipped (undistilled) student's agreement on the same held-out posts, as a baseline
    shipped = Classifier(load_bundle("student")).scores(texts)["act"].argmax(axis=1)
    rng = np.random.default_rng(13)
    test = rng.permutation(len(texts))[: agreement["held_out"]]
    from sklearn.metrics import f1_score

    t_lab = probs.argmax(axis=1)[test]
    agreement["shipped_macro_f1"] = float(
        f1_score(t_lab, shipped[test], average="macro", labels=sorted(set(t_lab)), zero_division=0)
    )
    agreement["teacher_act_mix"] = {
        int(k): int(v)
        for k, v in zip(*np.unique(probs.argmax(axis=1), return_counts=True), strict=True)
    }
    return agreement


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--n-teacher", type=int, default=512)
    ap.add_argument("--n-student", type=int, default=100000)
    ap.add_argument("--skip-teacher", action="store_true")
    args = ap.parse_args(argv)
    texts, source = load_texts()
    print(f"texts: {len(texts)} from {source}")
    s = bench_student(texts, args.n_student)
    print(
        f"student (CPU, 1 process): {s['scores']:,.0f} posts/s scores only, "
        f"{s['records']:,.0f} posts/s full records with evidence "
        f"({s['records'] / 20000:.2f}x the 20,000 target)"
    )
    print(
        f"student (CPU, 2 processes): {s['records_2proc']:,.0f} posts/s full records "
        f"({s['records_2proc'] / 20000:.2f}x target)"
    )
    from groundswell.classify.encoder import teacher_available

    if args.skip_teacher or not teacher_available():
        print("teacher: skipped (pip install 'groundswell[teacher]')")
        return 0
    t = bench_teacher(texts, args.n_teacher, args.device)
    print(
        f"teacher on {t['device']}: {t['teacher']:,.0f} posts/s vs raw encoder forward "
        f"{t['raw_forward']:,.0f} posts/s: ratio {t['ratio']:.2f} (target >= 0.8)"
    )
    a = bench_agreement(texts, args.device)
    print(
        f"student agreement with teacher on {a['held_out']} held-out posts: macro-F1 "
        f"{a['macro_f1']:.3f}, accuracy {a['accuracy']:.3f} (target macro-F1 >= 0.90); "
        f"shipped student before distillation: macro-F1 {a['shipped_macro_f1']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
