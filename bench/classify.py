"""Benchmark the classifier, each number against a baseline run in the same process.

- teacher posts/s vs the raw encoder forward pass over the same token ids (target ratio >= 0.8);
- student posts/s vs a bare hashed-linear predict over the same texts (the same
  HashingVectorizer, one sparse product, argmax; target ratio >= 0.4), scores only and full
  records with evidence, one process and two;
- the shipped student's agreement with the shipped teacher on the real test split of the
  corpus (target macro-F1 >= 0.90), and each model's own macro-F1 there.

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


def bare_hashed_linear(texts: list[str]) -> float:
    """Posts/s of the least a hashed linear model can do: vectorise, one product, argmax."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from groundswell.classify.student import N_FEATURES, TOKEN_PATTERN

    vec = HashingVectorizer(
        n_features=N_FEATURES,
        ngram_range=(1, 2),
        token_pattern=TOKEN_PATTERN,
        alternate_sign=False,
        binary=True,
        norm="l2",
    )
    coef = np.random.default_rng(0).standard_normal((N_FEATURES, 7))
    t = time.perf_counter()
    (vec.transform(texts) @ coef).argmax(axis=1)
    return len(texts) / (time.perf_counter() - t)


def bench_student(texts: list[str], n: int) -> dict[str, float]:
    """Posts/s of the shipped student (scores only, full records with evidence, 2 processes)
    and of the bare hashed-linear baseline on the same texts."""
    from groundswell.classify.run import load_classifier

    big = (texts * (n // len(texts) + 1))[:n]
    clf = load_classifier("student")
    clf.predict(big[:1000])  # warm caches and imports
    bare = bare_hashed_linear(big)
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
    return {
        "bare": bare,
        "scores": scores_rate,
        "records": full_rate,
        "records_2proc": two_rate,
        "loads_torch": "torch" in sys.modules,
    }


def bench_teacher(texts: list[str], n: int, device: str) -> dict[str, float]:
    """Teacher posts/s (tokenise, encode every window, pool, heads) vs raw forward on the same
    ids."""
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


def bench_agreement(device: str) -> dict[str, float] | None:
    """The shipped student's heads against the shipped teacher's, the ones it was distilled
    from (neither voting nor gated: ``decide=False``), on the corpus's real test split:
    macro-F1 agreement, and each one's own macro-F1 against the gold labels."""
    from sklearn.metrics import f1_score

    from groundswell.classify import corpus
    from groundswell.classify.run import Classifier, load_bundle
    from groundswell.classify.training import default_shared

    try:
        rows = corpus.rebuild(default_shared(REPO / "data"), REPO / "data")
    except Exception as exc:  # no shared sources here
        print(f"agreement: skipped ({exc})")
        return None
    test = [r for r in rows if r["split"] == "test"]
    texts = [r["text"] for r in test]
    gold = [r["act"] for r in test]
    heads = {"device": device, "decide": False}
    teacher = [p["act"] for p in Classifier(load_bundle("teacher"), **heads).predict(texts)]
    student = [p["act"] for p in Classifier(load_bundle("student"), decide=False).predict(texts)]

    def macro(a: list[str], b: list[str]) -> float:
        return float(f1_score(a, b, average="macro", labels=sorted(set(a)), zero_division=0))

    return {
        "n": len(test),
        "agreement": macro(teacher, student),
        "accuracy": float(np.mean(np.asarray(teacher) == np.asarray(student))),
        "teacher_f1": macro(gold, teacher),
        "student_f1": macro(gold, student),
    }


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
    print(f"bare hashed-linear predict: {s['bare']:,.0f} posts/s")
    print(
        f"student (CPU, 1 process): {s['scores']:,.0f} posts/s scores only "
        f"(ratio {s['scores'] / s['bare']:.2f}, target >= 0.4), {s['records']:,.0f} posts/s "
        f"full records with evidence (ratio {s['records'] / s['bare']:.2f}); torch loaded: "
        f"{s['loads_torch']}"
    )
    print(
        f"student (CPU, 2 processes): {s['records_2proc']:,.0f} posts/s full records "
        f"(ratio {s['records_2proc'] / s['bare']:.2f})"
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
    a = bench_agreement(args.device)
    if a:
        print(
            f"student agreement with teacher on {a['n']} real test posts: macro-F1 "
            f"{a['agreement']:.3f}, accuracy {a['accuracy']:.3f} (target macro-F1 >= 0.90); "
            f"macro-F1 against gold: teacher {a['teacher_f1']:.3f}, student {a['student_f1']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
