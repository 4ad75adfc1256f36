"""Training: heads from the labelled CSVs in data/ (seeded, so the shipped heads are reproduced
exactly), from a user's own labels, and the student distilled from the teacher on a corpus."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.classify.bundle import KINDS, Bundle
from groundswell.classify.heads import SEED, LinearHead, MultiLabelHead
from groundswell.errors import InputError
from groundswell.schema import ACTS, HARMS, MINOR, RELATIONS, SETTINGS

C_ACT = {"student": 20.0, "teacher": 4.0}
C_TESTIMONY = {"student": 10.0, "teacher": 2.0}
C_DISTIL = 5.0  # soft teacher labels are noisier than data/: a little more regularisation


@dataclass
class TrainingData:
    """Act-labelled texts, and the testimonies with what they describe."""

    texts: list[str] = field(default_factory=list)
    acts: list[str] = field(default_factory=list)
    t_texts: list[str] = field(default_factory=list)
    harms: list[list[str]] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    minors: list[str] = field(default_factory=list)

    def extend(self, other: TrainingData) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))

    def subset(self, acts: Sequence[str]) -> TrainingData:
        """The rows whose act is one of ``acts`` (with their details)."""
        keep = [i for i, a in enumerate(self.acts) if a in acts]
        told = {t: j for j, t in enumerate(self.t_texts)}
        out = TrainingData([self.texts[i] for i in keep], [self.acts[i] for i in keep])
        for i in keep:
            j = told.get(self.texts[i])
            if j is not None:
                out.t_texts.append(self.t_texts[j])
                out.harms.append(self.harms[j])
                out.relations.append(self.relations[j])
                out.settings.append(self.settings[j])
                out.minors.append(self.minors[j])
        return out


def _check(value: str, allowed: Sequence[str], what: str, path: Path, line: int) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise InputError(
            f"{path}:{line}: {what} {value!r} is not in the codebook ({', '.join(allowed)})"
        )
    return value


def read_labelled_csv(path: str | os.PathLike, errors: list[str] | None = None) -> TrainingData:
    """A CSV with ``text`` and ``act`` columns; rows with ``harm``/``relation``/``setting``/
    ``minor_at_time`` (testimonies.csv) also train the testimony heads.

    Read as ``predict`` reads its input (``run.iter_csv_body``): UTF-8 with or without a
    byte-order mark (as Excel saves it), UTF-16 or UTF-32, fields of any length; a row with bytes
    that are no text, a quote that never closes (the rows after it are read as rows), or a label
    not in the codebook, is an InputError naming its line, or, given ``errors``, is named there
    (``file:line: why``) and the other rows are read."""
    from groundswell.classify.run import (
        CSV_FIELD_LIMIT,
        UnreadInput,
        decode_input,
        iter_csv_body,
    )

    path = Path(path)
    data = TrainingData()
    try:
        body = decode_input(path.read_bytes())
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    fields: list[str] | None = None
    describes = False
    for item in iter_csv_body(body, str(path), limit=CSV_FIELD_LIMIT - 1):
        try:
            if isinstance(item, UnreadInput):
                raise InputError(f"{path}:{item['line']}: {item['error']}")
            line, values = item
            if fields is None:
                fields = values
                _check_columns(fields, path)
                describes = "relation" in fields
                continue
            _add_row(data, dict(zip(fields, values, strict=False)), describes, path, line)
        except InputError as exc:
            if errors is None or fields is None:
                raise
            errors.append(str(exc))
    if fields is None:
        _check_columns([], path)
    return data


def _check_columns(fields: list[str], path: Path) -> None:
    """An InputError unless the header has the ``text`` and ``act`` columns."""
    from groundswell.classify.run import shown_names

    if not {"text", "act"} <= set(fields):
        raise InputError(
            f"{path}: needs columns 'text' and 'act' (has {shown_names(sorted(set(fields)))})"
        )


def _add_row(
    data: TrainingData, row: dict[str, str], describes: bool, path: Path, line: int
) -> None:
    """One labelled row into ``data`` (a row without text is skipped); every label is checked
    before any is added, so a row with one not in the codebook adds nothing."""
    text = (row.get("text") or "").strip()
    if not text:
        return
    act = _check(row.get("act") or "", ACTS, "act", path, line)
    if describes and act == "testimony":
        harm = [
            _check(h, HARMS, "harm", path, line)
            for h in (row.get("harm") or "").split(";")
            if h.strip()
        ]
        relation = _check(row.get("relation") or "unknown", RELATIONS, "relation", path, line)
        setting = _check(row.get("setting") or "unknown", SETTINGS, "setting", path, line)
        minor = _check(row.get("minor_at_time") or "unknown", MINOR, "minor_at_time", path, line)
        data.t_texts.append(text)
        data.harms.append(harm)
        data.relations.append(relation)
        data.settings.append(setting)
        data.minors.append(minor)
    data.texts.append(text)
    data.acts.append(act)


def load_training_data(data_dir: str | os.PathLike = "data") -> TrainingData:
    """data/acts.csv and data/testimonies.csv, in that order."""
    data_dir = Path(data_dir)
    data = TrainingData()
    for name in ("acts.csv", "testimonies.csv"):
        if not (data_dir / name).exists():
            raise InputError(
                f"{data_dir / name}: missing; pass --data to the folder holding the labelled CSVs"
            )
        data.extend(read_labelled_csv(data_dir / name))
    return data


def fit_bundle(
    kind: str,
    data: TrainingData,
    *,
    act_weight: np.ndarray | None = None,
    X_act: Any = None,
    meta: dict[str, Any] | None = None,
) -> Bundle:
    """Fit every head of the student on ``data`` (``X_act`` reuses features already
    computed; the teacher is fine-tuned instead, see ``finetune.py``)."""
    from groundswell.classify.student import StudentFeaturizer

    X = StudentFeaturizer().transform(data.texts) if X_act is None else X_act
    heads: dict[str, Any] = {
        "act": LinearHead(C=C_ACT[kind]).fit(X, data.acts, sample_weight=act_weight)
    }
    by_text = {t: i for i, t in enumerate(data.t_texts)}
    idx = [i for i, t in enumerate(data.texts) if t in by_text]
    rows = [by_text[data.texts[i]] for i in idx]
    Xt = X[idx]
    c = C_TESTIMONY[kind]
    heads["harm"] = MultiLabelHead(HARMS, C=c).fit(Xt, [data.harms[r] for r in rows])
    heads["relation"] = LinearHead(C=c).fit(Xt, [data.relations[r] for r in rows])
    heads["setting"] = LinearHead(C=c).fit(Xt, [data.settings[r] for r in rows])
    heads["minor"] = LinearHead(C=c).fit(Xt, [data.minors[r] for r in rows])
    info = {
        "kind": kind,
        "n_act": len(data.texts),
        "n_testimony": len(rows),
        "act_counts": {a: data.acts.count(a) for a in ACTS},
        "seed": SEED,
    }
    info.update(meta or {})
    return Bundle(kind, heads, info)


def default_shared(data_dir: str | os.PathLike = "data") -> Path:
    """Where the corpus's sources live: $GROUNDSWELL_SHARED, else ../shared beside the
    checkout that holds ``data_dir``."""
    env = os.environ.get("GROUNDSWELL_SHARED")
    return Path(env) if env else Path(data_dir).resolve().parent.parent / "shared"


def train(
    data_dir: str | os.PathLike = "data",
    out_dir: str | os.PathLike = "models",
    kinds: Sequence[str] = KINDS,
    labels_csv: str | os.PathLike | None = None,
    shared: str | os.PathLike | None = None,
    progress: Any = None,
) -> dict[str, dict[str, Any]]:
    """Make the models of ``kinds`` from the real corpus (labels in ``data_dir``/corpus, texts
    from ``shared``) into ``out_dir/<kind>.npz``, as ``recipe.py`` says; returns per kind the
    path, version, training counts and test-split evaluation."""
    from groundswell.classify.recipe import train_models

    return train_models(
        shared or default_shared(data_dir),
        data_dir,
        out_dir,
        kinds,
        labels_csv=str(labels_csv) if labels_csv else None,
        progress=progress,
    )


def distill(
    teacher_probs: np.ndarray,
    texts: Sequence[str],
    base: Bundle,
    data: TrainingData,
    holdout: float = 0.2,
) -> tuple[Bundle, dict[str, Any]]:
    """Train a student act head on data/ plus ``texts`` soft-labelled by the teacher
    (``teacher_probs``, (n, 7) in ACTS order), keeping ``base``'s testimony heads; returns the
    student and its agreement with the teacher on a held-out part of ``texts``."""
    import scipy.sparse as sp
    from sklearn.metrics import f1_score

    from groundswell.classify.student import StudentFeaturizer

    rng = np.random.default_rng(SEED)
    n = len(texts)
    order = rng.permutation(n)
    n_test = max(1, round(n * holdout)) if n >= 10 else 0
    test, fit = order[:n_test], order[n_test:]
    feats = StudentFeaturizer()
    X_data = feats.transform(data.texts)
    X_corpus = feats.transform(list(texts))
    rows, labels, weights = [], [], []
    for i in fit:  # soft labels as weighted copies, one per likely act
        for j, act in enumerate(ACTS):
            if teacher_probs[i, j] >= 0.05:
                rows.append(i)
                labels.append(act)
                weights.append(float(teacher_probs[i, j]))
    X = sp.vstack([X_data, X_corpus[rows]], format="csr")
    y = list(data.acts) + labels
    w = np.concatenate([np.ones(len(data.acts)), np.asarray(weights)])
    act = LinearHead(C=C_DISTIL).fit(X, y, sample_weight=w)
    heads = dict(base.heads)
    heads["act"] = act
    meta = dict(base.meta, distilled_on=n - n_test, teacher_version=None)
    student = Bundle("student", heads, meta)
    agreement: dict[str, Any] = {"sample": n, "held_out": int(n_test)}
    if n_test:
        t = np.asarray(ACTS)[teacher_probs[test].argmax(axis=1)]
        s = act.predict(X_corpus[test])
        agreement["macro_f1"] = float(
            f1_score(t, s, average="macro", labels=sorted(set(t)), zero_division=0)
        )
        agreement["accuracy"] = float(np.mean(t == s))
    return student, agreement
