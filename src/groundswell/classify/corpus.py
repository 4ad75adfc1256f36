"""The real labelled corpus: labels kept in the repository keyed by the sha256 of each text,
texts rebuilt from their public sources (the recipe), never copied here.

``data/corpus/labels.csv`` holds the settled labels and the fixed split (``train`` / ``test``: no
model is tuned on ``test``); ``data/corpus/annotations.csv`` every annotator's own labels, from
which ``agreement`` recomputes Cohen's kappa per field. ``data/corpus/DATASHEET.md`` says where
each source comes from and under which licence.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groundswell.classify.training import TrainingData
from groundswell.errors import InputError
from groundswell.schema import ACTS, HARMS, MINOR, RELATIONS, SETTINGS

DETAILS = ("harm", "relation", "setting", "minor_at_time")


@dataclass(frozen=True)
class Source:
    """Where the texts of one source live, relative to the shared data folder."""

    path: str
    text_column: str
    ref_column: str | None  # None: the ref is the row's index in the file
    licence: str


SOURCES = {
    "metoo-unlabelled": Source("data/metoo-unlabelled.csv", "text", None, "platform terms"),
    "edos": Source("data/edos/edos_labelled_aggregated.csv", "text", "rewire_id", "CC0-1.0"),
}


def text_key(text: str) -> str:
    """The key a label is stored under: sha256 of the stripped text."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def corpus_dir(data_dir: str | os.PathLike = "data") -> Path:
    return Path(data_dir) / "corpus"


def read_labels(data_dir: str | os.PathLike = "data") -> list[dict[str, str]]:
    """The rows of labels.csv (sha256, source, ref, split, act, harm, relation, setting,
    minor_at_time)."""
    path = corpus_dir(data_dir) / "labels.csv"
    if not path.exists():
        raise InputError(f"{path}: missing; the corpus labels ship with the repository")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def source_texts(shared: str | os.PathLike) -> dict[str, str]:
    """Every text of every source under ``shared`` (the folder holding data/), by sha256."""
    out: dict[str, str] = {}
    for name, src in SOURCES.items():
        path = Path(shared) / src.path
        if not path.exists():
            raise InputError(f"{path}: missing; the corpus recipe reads source {name!r} from it")
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text = (row.get(src.text_column) or "").strip()
                if text:
                    out.setdefault(text_key(text), text)
    return out


def rebuild(
    shared: str | os.PathLike, data_dir: str | os.PathLike = "data"
) -> list[dict[str, Any]]:
    """The labelled corpus with its texts: labels.csv joined to the sources by sha256."""
    texts = source_texts(shared)
    rows = []
    missing = 0
    for row in read_labels(data_dir):
        text = texts.get(row["sha256"])
        if text is None:
            missing += 1
            continue
        rows.append({**row, "text": text})
    if missing:
        raise InputError(
            f"{missing} labelled texts not found under {shared}: the sources changed; "
            "see data/corpus/DATASHEET.md for the expected files"
        )
    return rows


def to_training_data(rows: list[dict[str, Any]], split: str | None = None) -> TrainingData:
    """Rows of ``rebuild`` (of one split, or all) as TrainingData: every text with its act,
    testimonies also with harm, relation, setting and minor_at_time."""
    data = TrainingData()
    for row in rows:
        if split is not None and row["split"] != split:
            continue
        act = row["act"]
        if act not in ACTS:
            raise InputError(f"labels.csv: act {act!r} is not in the codebook")
        data.texts.append(row["text"])
        data.acts.append(act)
        if act == "testimony":
            data.t_texts.append(row["text"])
            data.harms.append([h for h in row["harm"].split(";") if h in HARMS])
            data.relations.append(row["relation"] if row["relation"] in RELATIONS else "unknown")
            data.settings.append(row["setting"] if row["setting"] in SETTINGS else "unknown")
            data.minors.append(row["minor_at_time"] if row["minor_at_time"] in MINOR else "unknown")
    return data


def agreement(data_dir: str | os.PathLike = "data") -> dict[str, Any]:
    """Cohen's kappa and raw agreement between the two first annotators, per field (act over
    every post; the details over posts both called testimony; harm per label)."""
    from sklearn.metrics import cohen_kappa_score

    path = corpus_dir(data_dir) / "annotations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        by_key: dict[str, dict[str, dict[str, str]]] = {}
        for row in csv.DictReader(fh):
            by_key.setdefault(row["sha256"], {})[row["annotator"]] = row
    pairs = [(v["a1"], v["a2"]) for v in by_key.values() if "a1" in v and "a2" in v]
    out: dict[str, Any] = {"n": len(pairs)}

    def score(a: list[str], b: list[str]) -> dict[str, float]:
        same = sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else 0.0
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else 1.0
        return {"n": len(a), "agreement": round(same, 4), "kappa": round(float(kappa), 4)}

    out["act"] = score([p[0]["act"] for p in pairs], [p[1]["act"] for p in pairs])
    both = [p for p in pairs if p[0]["act"] == p[1]["act"] == "testimony"]
    for fld in ("relation", "setting", "minor_at_time"):
        out[fld] = score([p[0][fld] for p in both], [p[1][fld] for p in both])
    for harm in HARMS:
        out[f"harm:{harm}"] = score(
            [str(harm in p[0]["harm"].split(";")) for p in both],
            [str(harm in p[1]["harm"].split(";")) for p in both],
        )
    return out
